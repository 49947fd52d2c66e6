using System.Runtime.InteropServices;

namespace FedLmt.Core.Tests;

/// <summary>Tests that read the process's resident size run alone: other tests' allocations would blur it.</summary>
[CollectionDefinition(nameof(ResidentMemory), DisableParallelization = true)]
public sealed class ResidentMemory;

[Collection(nameof(ResidentMemory))]
public class NativeAllocatorTests
{
    [Fact]
    public void Once_tuned_blocks_up_to_the_threshold_come_from_the_heap_and_larger_ones_are_mapped()
    {
        var report = NativeAllocator.KeepFreedMemory();
        Assert.True(report.Tuned, report.Note); // this machine runs glibc and the test host sets no malloc variables

        // mallinfo2's hblkhd counts the bytes in blocks glibc mapped on their own (over the mmap threshold).
        long Mapped() => (long)MallInfo2().hblkhd;
        long before = Mapped();
        IntPtr below = Marshal.AllocHGlobal(NativeAllocator.MmapThresholdBytes - (1 << 20)); // malloc on Unix
        long afterBelow = Mapped();
        IntPtr above = Marshal.AllocHGlobal(NativeAllocator.MmapThresholdBytes + (1 << 20));
        long afterAbove = Mapped();
        Marshal.FreeHGlobal(below);
        Marshal.FreeHGlobal(above);
        // Other test threads may map or unmap blocks meanwhile; a 31 MiB block mapped would add >= 31 MiB at once.
        Assert.True(afterBelow - before < NativeAllocator.MmapThresholdBytes - (1 << 20), $"a block under the threshold was mapped: {afterBelow - before} bytes");
        Assert.True(afterAbove - afterBelow >= NativeAllocator.MmapThresholdBytes + (1 << 20), $"a block over the threshold was not mapped: {afterAbove - afterBelow} bytes");
    }

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
    public void Freed_memory_stays_resident_until_it_is_returned()
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
        long touched = ResidentBytes();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        long freed = ResidentBytes();
        Assert.True(touched - freed < block, $"freeing released {(touched - freed) >> 20} MiB at once; glibc was to keep it");
        Assert.True(NativeAllocator.ReturnFreeMemory());
        long returned = ResidentBytes();
        Assert.True(freed - returned >= (count - 2) * (long)block, $"returning released only {(freed - returned) >> 20} MiB of the 64 MiB freed");
    }

    /// <summary>Resident bytes from /proc/self/statm (pages).</summary>
    static long ResidentBytes() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;

    [StructLayout(LayoutKind.Sequential)]
    struct MallocInfo
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallocInfo MallInfo2();
}
