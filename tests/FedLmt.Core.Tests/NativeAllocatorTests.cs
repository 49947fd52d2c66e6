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
    public void Freed_memory_stays_resident_and_is_reused()
    {
        Assert.True(NativeAllocator.KeepFreedMemory().Tuned);
        const int block = 8 << 20, count = 8; // 64 MiB in blocks under the mmap threshold: heap memory
        var ones = new byte[block];
        Array.Fill(ones, (byte)1);
        var blocks = new IntPtr[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(block);
            Marshal.Copy(ones, 0, blocks[i], block); // touched: resident
        }
        long touched = HeapBytes();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        long freed = HeapBytes();
        // A thread arena deletes a heap that became wholly free whatever the thresholds, so a block that started a heap
        // of its own may go back; with glibc's defaults all 64 MiB do (they are mapped apart and unmapped on free).
        Assert.True(touched - freed < 2L * block, $"freeing gave {(touched - freed) >> 20} MiB back to the system at once; glibc was to keep it");

        // And it is reused: the same blocks again touch few new pages (a block may land past a heap boundary).
        for (int i = 0; i < count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(block);
            Marshal.Copy(ones, 0, blocks[i], block);
        }
        long again = HeapBytes();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        Assert.True(again - freed <= 2L * block, $"allocating the freed 64 MiB again took {(again - freed) >> 20} MiB more from the system");
    }

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
