using System.Runtime.InteropServices;
using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt;

/// <summary>What <see cref="TorchRuntime"/> found and chose when it checked libtorch's convolution in this process.</summary>
public sealed record TorchRuntimeReport(ConvPath ConvPath, bool ConvExact, string Note)
{
    /// <summary>What was done to the native allocator (<see cref="NativeAllocator"/>, applied by the same initialization).</summary>
    public NativeAllocatorReport Allocator => NativeAllocator.KeepFreedMemory();

    /// <summary>One short line for the start of a run: the path, and whether it matched float64.</summary>
    public string Headline => $"{TorchRuntime.Describe(ConvPath)} convolutions, {(ConvExact ? "exact against float64" : "NOT exact: results are wrong")}";

    public override string ToString() => $"{Note}; {Allocator.Note}";
}

/// <summary>
/// Process-wide libtorch settings FedLMT.NET relies on, applied once before the first model is built: the choice of
/// the convolution path (<see cref="ConvPath"/>) and the allocator tuning of <see cref="NativeAllocator"/>.
/// </summary>
/// <remarks>
/// libtorch 2.10's oneDNN float32 convolution has returned wrong results on some AVX-512 machines (AMD EPYC VMs)
/// whenever a channel count is off the SIMD width - a 3x3 conv with 19 input channels off by ~40% - while other boots
/// of the same VM type are exact. So the path is chosen by measurement, fastest first: each candidate runs a set of
/// awkward convs (1, 3, 13, 19, 51 channels; 3x3, 1x3, 3x1 and 1x1 kernels; strides 1 and 2; both layouts) through
/// <see cref="ConvKernel"/> exactly as the models call it, forward and both backward passes, against float64 (which
/// never uses oneDNN), and the first that matches to 1e-4 relative is taken. The last resort switches oneDNN off via
/// at::globalContext().setUserEnabledMkldnn(false), libtorch's own switch (torch.backends.mkldnn.enabled in Python),
/// which TorchSharp does not expose. <c>FEDLMT_CONV_PATH</c> (onednn, padded, native) asks for one path; it is still
/// checked, and refused for the automatic choice where it is not exact.
/// </remarks>
public static class TorchRuntime
{
    /// <summary>The environment variable that asks for a convolution path.</summary>
    public const string PathVariable = "FEDLMT_CONV_PATH";

    static readonly Lazy<TorchRuntimeReport> State = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs the check once per process and returns what it found.</summary>
    public static TorchRuntimeReport EnsureInitialized() => State.Value;

    /// <summary>
    /// Whether float32 convs on <paramref name="path"/> match float64 to 1e-4 relative, output, input gradient and
    /// weight gradient, for every shape of the check (the reason of the first mismatch otherwise).
    /// </summary>
    public static (bool Exact, string? Mismatch) ConvIsExact(ConvPath path)
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator(1234);
        foreach (var (cin, cout, kh, kw, stride) in CheckShapes)
            foreach (bool channelsLast in new[] { false, true })
            {
                var x = torch.randn(4, cin, 9, 9, generator: g);
                var w = torch.randn(cout, cin, kh, kw, generator: g);
                // A factor conv strides along its kernel's long side only (FactorizedConv2d).
                long[] strides = kh == 1 && kw > 1 ? [1, stride] : kw == 1 && kh > 1 ? [stride, 1] : [stride, stride];
                var gradOut = torch.randn(4, cout, (9 + 2 * (kh / 2) - kh) / strides[0] + 1, (9 + 2 * (kw / 2) - kw) / strides[1] + 1, generator: g);
                var f32 = Pass(x, w, gradOut, strides, channelsLast, path);
                var f64 = Pass(x.to(ScalarType.Float64), w.to(ScalarType.Float64), gradOut.to(ScalarType.Float64), strides, false, ConvPath.Native);
                string[] what = ["output", "input gradient", "weight gradient"];
                for (int i = 0; i < 3; i++)
                {
                    double error = (f32[i].to(ScalarType.Float64) - f64[i]).abs().max().item<double>() / f64[i].abs().max().item<double>();
                    if (!(error <= 1e-4))
                        return (false, $"{what[i]} of a {kh}x{kw} conv {cin} -> {cout} channels, stride {stride}{(channelsLast ? ", channels-last" : "")} off by {error:G2} relative");
                }
            }
        return (true, null);
    }

    static readonly (long Cin, long Cout, long Kh, long Kw, long Stride)[] CheckShapes =
    [
        (1, 16, 3, 3, 1), (3, 13, 3, 3, 1), (13, 32, 3, 3, 1), (19, 16, 3, 3, 2), (51, 8, 3, 3, 1),
        (32, 13, 1, 3, 1), (13, 32, 3, 1, 1), (32, 26, 1, 3, 2), (26, 32, 3, 1, 2), (19, 21, 1, 1, 2),
    ];

    static Tensor[] Pass(Tensor x, Tensor w, Tensor gradOut, long[] strides, bool channelsLast, ConvPath path)
    {
        var input = (channelsLast ? ConvKernel.ToConvLayout(x, ConvPath.OneDnn) : x).detach().requires_grad_();
        var weight = w.detach().requires_grad_();
        var output = ConvKernel.Conv2d(input, weight, null, strides, [w.shape[2] / 2, w.shape[3] / 2], path);
        output.backward([gradOut]);
        return [output.detach(), input.grad!, weight.grad!];
    }

    /// <summary>The path a <c>FEDLMT_CONV_PATH</c> value asks for (null: the automatic choice); refuses unknown values by name.</summary>
    public static ConvPath? ParsePathRequest(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "onednn" => ConvPath.OneDnn,
        "padded" => ConvPath.OneDnnPadded,
        "native" => ConvPath.Native,
        _ => throw new ArgumentException($"{PathVariable}='{value}' is unknown; allowed: auto, onednn, padded, native"),
    };

    static TorchRuntimeReport Initialize()
    {
        NativeAllocator.KeepFreedMemory(); // first, so the check's own tensors already reuse freed memory
        string? asked = Environment.GetEnvironmentVariable(PathVariable);
        ConvPath? wanted = ParsePathRequest(asked);
        string refused = "";
        if (wanted is ConvPath.OneDnn or ConvPath.OneDnnPadded)
        {
            var (exact, mismatch) = ConvIsExact(wanted.Value);
            if (exact) return new(wanted.Value, true, $"convolution path {Describe(wanted.Value)} ({PathVariable}), verified exact");
            refused = $"{PathVariable}={asked} refused ({mismatch}); ";
        }
        if (wanted != ConvPath.Native)
        {
            var (direct, mismatch) = ConvIsExact(ConvPath.OneDnn);
            if (direct) return new(ConvPath.OneDnn, true, $"{refused}convolution path {Describe(ConvPath.OneDnn)}, verified exact");
            var (padded, _) = ConvIsExact(ConvPath.OneDnnPadded);
            if (padded)
                return new(ConvPath.OneDnnPadded, true,
                    $"{refused}oneDNN float32 convolution is faulty on this CPU ({mismatch}); convolution path {Describe(ConvPath.OneDnnPadded)}, verified exact");
            refused += $"oneDNN float32 convolution is faulty on this CPU ({mismatch}), padded too; ";
        }
        try
        {
            Native.SetUserEnabledMkldnn(Native.GlobalContext(), false);
            // Without oneDNN, libtorch tries NNPACK for some convs and, where NNPACK does not support the CPU, prints a
            // warning on every call before falling back; its fallback is what runs either way.
            Native.SetUserEnabledNNPACK(Native.GlobalContext(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return new(ConvPath.OneDnn, false, $"{refused}oneDNN could not be disabled ({e.Message}); convolution results are wrong");
        }
        var (nativeExact, nativeMismatch) = ConvIsExact(ConvPath.Native);
        return new(ConvPath.Native, nativeExact, nativeExact
            ? $"{refused}convolution path {Describe(ConvPath.Native)}, verified exact"
            : $"{refused}convolution path {Describe(ConvPath.Native)} is not exact either ({nativeMismatch}); results are wrong");
    }

    internal static string Describe(ConvPath path) => path switch
    {
        ConvPath.OneDnn => "oneDNN, channels-last",
        ConvPath.OneDnnPadded => $"oneDNN with channels padded to multiples of {ConvKernel.ChannelBlock}",
        _ => "libtorch native (oneDNN and NNPACK off)",
    };

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
    }
}
