using System.Runtime.InteropServices;

namespace FedLmt.Core.Tests;

/// <summary>Tests that read the allocator's totals run alone: other tests' allocations would blur them.</summary>
[CollectionDefinition(nameof(ResidentMemory), DisableParallelization = true)]
public sealed class ResidentMemory;

[Collection(nameof(ResidentMemory))]
public class NativeAllocatorTests
{
    [Theory]
    [InlineData("FEDLMT_KEEP_FREED_MEMORY", "0", "FEDLMT_KEEP_FREED_MEMORY=0")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "1000", "MALLOC_TRIM_THRESHOLD_")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4096", "GLIBC_TUNABLES")]
    public void A_user_choice_in_the_environment_is_left_alone_and_named(string variable, string value, string named)
    {
        var report = NativeAllocator.Tune(v => v == variable ? value : null);
        Assert.False(report.Tuned);
        Assert.Contains(named, report.Note);
    }

    [Fact]
    public void A_block_over_the_largest_mmap_threshold_comes_from_the_heap_and_is_reused()
    {
        // A batch-256 evaluation's 51 MB activations are over glibc's largest mmap threshold (32 MiB): with glibc's
        // defaults each is mapped afresh (mallinfo2's hblkhd grows by it) and unmapped on free; tuned, it comes from a heap.
        Assert.True(NativeAllocator.KeepFreedMemory().Tuned);
        const int block = 40 << 20;
        var ones = new byte[1 << 20];
        Array.Fill(ones, (byte)1);
        long mappedBefore = MappedBytes();
        var first = Marshal.AllocHGlobal(block);
        for (int i = 0; i < block; i += ones.Length) Marshal.Copy(ones, 0, first + i, ones.Length); // touched: resident
        Assert.True(MappedBytes() - mappedBefore < block / 2, $"the 40 MiB block was mapped apart ({(MappedBytes() - mappedBefore) >> 20} MiB of mappings)");
        long heapWithBlock = HeapBytes();
        Marshal.FreeHGlobal(first);

        // And the freed memory serves the next block of that size without the heaps growing by another one. (Whether the
        // freed block stays mapped meanwhile is not asserted: a thread arena deletes a heap that became wholly free
        // whatever the thresholds, and this test does not run on the main thread, whose arena keeps it.)
        var second = Marshal.AllocHGlobal(block);
        for (int i = 0; i < block; i += ones.Length) Marshal.Copy(ones, 0, second + i, ones.Length);
        Assert.True(HeapBytes() - heapWithBlock < block / 2, $"allocating 40 MiB again grew the heaps by {(HeapBytes() - heapWithBlock) >> 20} MiB");
        Marshal.FreeHGlobal(second);
    }

    /// <summary>Bytes in blocks glibc mapped apart from its heaps (mallinfo2's hblkhd).</summary>
    static long MappedBytes() => (long)MallInfo2().hblkhd;

    /// <summary>
    /// The bytes glibc's heaps hold from the system, over all arenas (mallinfo2's arena field); freed memory it keeps
    /// stays counted. Unlike the process's resident size, the GC decommitting managed memory does not move it.
    /// </summary>
    static long HeapBytes() => (long)MallInfo2().arena;

    [StructLayout(LayoutKind.Sequential)]
    struct MallocInfo
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallocInfo MallInfo2();
}
