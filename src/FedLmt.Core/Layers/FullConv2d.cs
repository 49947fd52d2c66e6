using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>
/// A full-rank k x k convolution (the counterpart of <see cref="FactorizedConv2d"/>) that runs on the process's exact
/// fast path (<see cref="ConvKernel"/>). Its state is nn.Conv2d's: "weight" (C_out, C_in, k, k) and optional "bias".
/// </summary>
public sealed class FullConv2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly long[] _stride, _padding;

    /// <summary>Creates the layer, initialized as PyTorch initializes a Conv2d (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias).</summary>
    public FullConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool hasBias = true)
        : base(nameof(FullConv2d))
    {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), "channels, kernel and stride must be >= 1, padding >= 0");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        _stride = [stride, stride];
        _padding = [padding, padding];
        weight = new Parameter(torch.empty(outChannels, inChannels, kernelSize, kernelSize));
        bias = hasBias ? new Parameter(torch.empty(outChannels)) : null;
        Reset();
        RegisterComponents();
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }

    /// <summary>The weight parameter (C_out, C_in, k, k).</summary>
    public Parameter Weight => weight;

    /// <summary>The bias parameter, or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>
    /// Re-draws weight and bias as PyTorch initializes a Conv2d (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), or with
    /// <see cref="FactorInit.KaimingFanOut"/> the weight from N(0, 2 / fan_out), fan_out = C_out k k; libtorch's global
    /// generator when null.
    /// </summary>
    public void Reset(Generator? generator = null, FactorInit init = FactorInit.Spectral)
    {
        using var noGrad = torch.no_grad();
        double bound = 1 / Math.Sqrt(InChannels * KernelSize * KernelSize);
        if (init == FactorInit.KaimingFanOut) weight.normal_(0, Math.Sqrt(2.0 / (OutChannels * KernelSize * KernelSize)), generator);
        else weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }

    public override Tensor forward(Tensor input) => Forward(input, ConvKernel.Path);

    /// <summary>The forward pass on an explicit path (the tests compare paths).</summary>
    public Tensor Forward(Tensor input, ConvPath path) => ConvKernel.Conv2d(input, weight, bias, _stride, _padding, path);

    /// <summary>Multiply-accumulates of one forward pass for one sample.</summary>
    public long MacsPerSample(long[] outputShape) => outputShape[1] * outputShape[2] * outputShape[3] * InChannels * KernelSize * KernelSize;
}
