using System.Runtime.InteropServices;

namespace FedLmt;

/// <summary>What <see cref="NativeAllocator.KeepFreedMemory"/> did, and why.</summary>
public sealed record NativeAllocatorReport(bool Tuned, string Note);

/// <summary>
/// Keeps glibc from handing freed tensor memory straight back to the kernel.
/// </summary>
/// <remarks>
/// libtorch allocates tensors with glibc's malloc. By default glibc maps every block over its mmap threshold afresh
/// and unmaps it on free, and trims the heap top once more than the trim threshold is free. The next tensor of that
/// size then lands on fresh pages, and each first touch of a page is a page fault. On a virtual machine such a fault
/// is expensive: on the reference machine (a 2-core VM) writing 44.7 MB into fresh memory takes ~125 ms and into reused
/// memory ~3 ms. Training and tensor decoding allocate the same sizes over and over, so glibc is told to keep what is
/// freed: blocks come from the heap (mmap threshold <see cref="MmapThresholdBytes"/>, and no separate mappings at all:
/// M_MMAP_MAX 0, since a batch-256 evaluation of ResNet-18 allocates 51 MB activations, over the largest threshold
/// glibc allows; a thread arena still maps a block over its 64 MiB heap size), and up to
/// <see cref="TrimThresholdBytes"/> of free heap top stays mapped. Peak memory is unchanged; the resident size simply stays at its peak instead of
/// falling between rounds. This is what PyTorch users get by preloading jemalloc or tcmalloc, without a preload. On a
/// device short of memory, FEDLMT_KEEP_FREED_MEMORY=0 trades that speed for a resident size that falls again.
/// (Handing the kept memory back when idle, with malloc_trim, is not offered: it cannot shrink the heaps of threads
/// other than the main one, where libtorch's training allocates, and calling it after every round made a deployed
/// round of the small preset 1.9x slower.)
/// Nothing is changed when the user has tuned malloc already (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or
/// GLIBC_TUNABLES set), when FEDLMT_KEEP_FREED_MEMORY=0, or when the C library is not glibc.
/// </remarks>
public static class NativeAllocator
{
    /// <summary>glibc's largest allowed mmap threshold on 64-bit systems (HEAP_MAX_SIZE / 2).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    public const int TrimThresholdBytes = 512 << 20;

    /// <summary>The environment variable that turns the tuning off when set to 0.</summary>
    public const string OptOutVariable = "FEDLMT_KEEP_FREED_MEMORY";

    static readonly string[] UserTunings = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

    static readonly Lazy<NativeAllocatorReport> State = new(() => Tune(Environment.GetEnvironmentVariable), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the tuning once per process and returns what was done.</summary>
    public static NativeAllocatorReport KeepFreedMemory() => State.Value;

    /// <summary>Applies the tuning unless <paramref name="environment"/> opts out or tunes malloc itself.</summary>
    internal static NativeAllocatorReport Tune(Func<string, string?> environment)
    {
        if (environment(OptOutVariable) == "0")
            return new(false, $"glibc malloc left at its defaults ({OptOutVariable}=0)");
        if (UserTunings.FirstOrDefault(v => environment(v) is not null) is { } set)
            return new(false, $"glibc malloc left as tuned by {set}");
        if (!OperatingSystem.IsLinux()) return new(false, "not Linux: allocator left at its defaults");
        try
        {
            _ = Native.GnuLibcVersion(); // throws where the C library is not glibc (musl)
            bool mmap = Native.Mallopt(Native.MmapThreshold, MmapThresholdBytes) == 1;
            bool trim = Native.Mallopt(Native.TrimThreshold, TrimThresholdBytes) == 1;
            bool heapOnly = Native.Mallopt(Native.MmapMax, 0) == 1;
            return mmap && trim && heapOnly
                ? new(true, $"glibc malloc keeps freed memory (heap only, trim threshold {TrimThresholdBytes >> 20} MiB)")
                : new(false, "glibc refused the malloc tuning; allocator left at its defaults");
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return new(false, "the C library is not glibc: allocator left at its defaults");
        }
    }

    static class Native
    {
        internal const int TrimThreshold = -1; // M_TRIM_THRESHOLD
        internal const int MmapThreshold = -3; // M_MMAP_THRESHOLD
        internal const int MmapMax = -4; // M_MMAP_MAX

        [DllImport("libc", EntryPoint = "mallopt")]
        internal static extern int Mallopt(int parameter, int value);

        [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
        internal static extern IntPtr GnuLibcVersion();
    }
}
