using System.Runtime.InteropServices;

namespace FedLmt.Core.Tests;

/// <summary>Tests that read the process's resident size run alone: other tests' allocations would blur it.</summary>
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
        long touched = ResidentBytes();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        long freed = ResidentBytes();
        Assert.True(touched - freed < block, $"freeing released {(touched - freed) >> 20} MiB at once; glibc was to keep it");

        // And it is reused: the same blocks again touch few new pages (a block may land past a heap boundary).
        for (int i = 0; i < count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(block);
            Marshal.Copy(ones, 0, blocks[i], block);
        }
        long again = ResidentBytes();
        foreach (var b in blocks) Marshal.FreeHGlobal(b);
        Assert.True(again - freed <= 2L * block, $"allocating the freed 64 MiB again grew the resident size by {(again - freed) >> 20} MiB");
    }

    /// <summary>Resident bytes from /proc/self/statm (pages).</summary>
    static long ResidentBytes() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;
}
