using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt;

/// <summary>What <see cref="TorchRuntime"/> found and did when it checked libtorch in this process.</summary>
public sealed record TorchRuntimeReport(bool OneDnnConvFaulty, bool OneDnnEnabled, bool ConvExact, string Note)
{
    /// <summary>What was done to the native allocator (<see cref="NativeAllocator"/>, applied by the same initialization).</summary>
    public NativeAllocatorReport Allocator => NativeAllocator.KeepFreedMemory();

    public override string ToString() => $"{Note}; {Allocator.Note}";
}

/// <summary>
/// Process-wide libtorch settings FedLMT.NET relies on, applied once before the first model is built: the convolution
/// check below and the allocator tuning of <see cref="NativeAllocator"/>.
/// </summary>
/// <remarks>
/// libtorch 2.10's oneDNN float32 convolution returns wrong results on some CPUs (seen on AVX-512 AMD EPYC) whenever
/// the input channel count is not a multiple of the SIMD width - e.g. a 3x3 conv with 19 input channels is off by
/// ~40%. Factorized convs have ranks like 13, 26, 51, so they hit it constantly. The check below runs such a conv in
/// float32 and float64 (which does not use oneDNN); if they disagree, oneDNN is switched off for the process via
/// at::globalContext().setUserEnabledMkldnn(false), libtorch's own switch (torch.backends.mkldnn.enabled in Python),
/// which TorchSharp does not expose. Where oneDNN is correct, nothing is changed.
/// </remarks>
public static class TorchRuntime
{
    static readonly Lazy<TorchRuntimeReport> State = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs the check once per process and returns what it found.</summary>
    public static TorchRuntimeReport EnsureInitialized() => State.Value;

    /// <summary>Whether a float32 conv with an awkward channel count matches float64 to 1e-4 relative.</summary>
    public static bool ConvIsExact()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var g = new Generator(1234);
        foreach (long channels in new long[] { 19, 13, 51 })
        {
            var x = torch.randn(2, channels, 6, 6, generator: g);
            var w = torch.randn(8, channels, 3, 3, generator: g);
            var f32 = nn.functional.conv2d(x, w, padding: [1, 1]).to(ScalarType.Float64);
            var f64 = nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: [1, 1]);
            if ((f32 - f64).abs().max().item<double>() > 1e-4 * f64.abs().max().item<double>()) return false;
        }
        return true;
    }

    static TorchRuntimeReport Initialize()
    {
        NativeAllocator.KeepFreedMemory(); // first, so the check's own tensors already reuse freed memory
        if (ConvIsExact()) return new(false, OneDnnEnabledOrTrue(), true, "oneDNN convolution verified exact");
        try
        {
            Native.SetUserEnabledMkldnn(Native.GlobalContext(), false);
            // Without oneDNN, libtorch tries NNPACK for some convs and, where NNPACK does not support the CPU, prints a
            // warning on every call before falling back; its fallback is what runs either way.
            Native.SetUserEnabledNNPACK(Native.GlobalContext(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return new(true, true, false, $"oneDNN float32 convolution is faulty on this CPU and could not be disabled ({e.Message}); results are wrong");
        }
        bool exact = ConvIsExact();
        return new(true, OneDnnEnabledOrTrue(), exact, exact
            ? "oneDNN float32 convolution is faulty on this CPU (channel counts off the SIMD width); disabled it (and NNPACK), libtorch's native convolution verified exact"
            : "oneDNN float32 convolution is faulty on this CPU and disabling it did not help; results are wrong");
    }

    static bool OneDnnEnabledOrTrue()
    {
        try { return Native.UserEnabledMkldnn(Native.GlobalContext()); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return true; }
    }

    static class Native
    {
        // libtorch_cpu is already loaded by TorchSharp; dlopen returns that instance. Itanium C++ ABI names.
        const string Lib = "libtorch_cpu.so";

        [DllImport(Lib, EntryPoint = "_ZN2at13globalContextEv")]
        internal static extern IntPtr GlobalContext();

        [DllImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        internal static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport(Lib, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        internal static extern void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport(Lib, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        internal static extern bool UserEnabledMkldnn(IntPtr context);
    }
}
