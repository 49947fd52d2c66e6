using System.Runtime.InteropServices;

namespace FedLmt.Core.Tests;

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

    [StructLayout(LayoutKind.Sequential)]
    struct MallocInfo
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallocInfo MallInfo2();
}
