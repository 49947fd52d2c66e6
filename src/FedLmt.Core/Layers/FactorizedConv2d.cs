using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>
/// A k x k convolution as a (1 x k) conv C_in -> r (stride (1, s), padding (0, p)) followed by a (k x 1) conv
/// r -> C_out (stride (s, 1), padding (p, 0)); equal to the full conv with weight reshape(U V^T) for any stride.
/// </summary>
/// <remarks>
/// The factors are stored in the conv-weight layouts the forward pass uses - "v" as (r, C_in, 1, k) and "u" as
/// (C_out, r, k, 1) - so a training step pays no reshapes; <see cref="UMatrix"/> and <see cref="VMatrix"/> give the
/// (C_out k) x r and (C_in k) x r matrices of METHOD.md.
/// </remarks>
public sealed class FactorizedConv2d : nn.Module<Tensor, Tensor>, IFactorizedLayer
{
    readonly Parameter u;
    readonly Parameter v;
    readonly Parameter? bias;
    readonly long[] _stride1, _pad1, _stride2, _pad2;

    /// <summary>Creates the layer; rank must be in 1..k min(C_in, C_out).</summary>
    public FactorizedConv2d(long inChannels, long outChannels, long kernelSize, int rank, long stride = 1, long padding = 0,
        bool hasBias = false, FactorInit init = FactorInit.Spectral, Generator? generator = null)
        : base(nameof(FactorizedConv2d))
    {
        TorchRuntime.EnsureInitialized();
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), "channels, kernel and stride must be >= 1, padding >= 0");
        FullRank = kernelSize * Math.Min(inChannels, outChannels);
        if (rank < 1 || rank > FullRank)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 1..{FullRank} for a {outChannels}x{inChannels}x{kernelSize}x{kernelSize} conv");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Rank = rank;
        _stride1 = [1, stride];
        _pad1 = [0, padding];
        _stride2 = [stride, 1];
        _pad2 = [padding, 0];
        u = new Parameter(torch.empty(outChannels, rank, kernelSize, 1));
        v = new Parameter(torch.empty(rank, inChannels, 1, kernelSize));
        bias = hasBias ? new Parameter(torch.empty(outChannels)) : null;
        Reset(init, generator);
        RegisterComponents();
    }

    /// <summary>
    /// Re-initializes as PyTorch initializes a Conv2d (kaiming-uniform, a = sqrt 5: U(-1/sqrt(fan_in), 1/sqrt(fan_in))):
    /// spectral decomposes such a full weight, direct draws each factor as its own conv weight; kaiming_fan_out draws each
    /// factor N(0, 2 / fan_out) as the authors' ResNet does (the bias, if any, stays PyTorch's).
    /// </summary>
    public void Reset(FactorInit init, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double fullBound = 1 / Math.Sqrt(InChannels * KernelSize * KernelSize);
        if (init == FactorInit.Spectral)
            LoadFromFull(torch.empty(OutChannels, InChannels, KernelSize, KernelSize).uniform_(-fullBound, fullBound, generator));
        else if (init == FactorInit.KaimingFanOut)
        {
            // Each factor is a conv of its own: fan_out = its output channels x its kernel area (k).
            u.normal_(0, Math.Sqrt(2.0 / (OutChannels * KernelSize)), generator);
            v.normal_(0, Math.Sqrt(2.0 / (Rank * KernelSize)), generator);
        }
        else
        {
            double uBound = 1 / Math.Sqrt(Rank * KernelSize), vBound = 1 / Math.Sqrt(InChannels * KernelSize);
            u.uniform_(-uBound, uBound, generator);
            v.uniform_(-vBound, vBound, generator);
        }
        bias?.uniform_(-fullBound, fullBound, generator);
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long KernelSize { get; }
    public long Stride { get; }
    public long Padding { get; }
    public int Rank { get; }
    public bool HasBias => bias is not null;
    public long FullRank { get; }

    public override Tensor forward(Tensor input) => Forward(input, ConvKernel.Path);

    /// <summary>
    /// The forward pass on an explicit path. Where the path pads channels, the rank is padded too: zero rows of V give
    /// zero hidden channels, which zero columns of U ignore, so both convs run on blocked layouts without an activation
    /// copy and the result and the factors' gradients are exact.
    /// </summary>
    public Tensor Forward(Tensor input, ConvPath path)
    {
        long padded = ConvKernel.Padded(Rank, path);
        if (padded == Rank)
        {
            using var hidden = ConvKernel.Conv2d(input, v, null, _stride1, _pad1, path);
            return ConvKernel.Conv2d(hidden, u, bias, _stride2, _pad2, path);
        }
        using var vPadded = nn.functional.pad(v, [0, 0, 0, 0, 0, 0, 0, padded - Rank]);
        using var uPadded = nn.functional.pad(u, [0, 0, 0, 0, 0, padded - Rank]);
        using var paddedHidden = ConvKernel.Conv2d(input, vPadded, null, _stride1, _pad1, path);
        return ConvKernel.Conv2d(paddedHidden, uPadded, bias, _stride2, _pad2, path);
    }

    /// <summary>U ((C_out k) x r), rows (o, kh).</summary>
    public Tensor UMatrix() => u.reshape(OutChannels, Rank, KernelSize).permute(0, 2, 1).reshape(OutChannels * KernelSize, Rank);

    /// <summary>V ((C_in k) x r), rows (i, kw).</summary>
    public Tensor VMatrix() => v.reshape(Rank, InChannels * KernelSize).t();

    public Tensor RecoverWeight()
    {
        using var scope = torch.NewDisposeScope();
        var m = LowRankMath.Recover(UMatrix(), VMatrix());
        return LowRankMath.MatrixToConvWeight(m, OutChannels, InChannels, KernelSize).MoveToOuterDisposeScope();
    }

    public void LoadFromFull(Tensor fullWeight)
    {
        if (fullWeight.dim() != 4 || fullWeight.shape[0] != OutChannels || fullWeight.shape[1] != InChannels
            || fullWeight.shape[2] != KernelSize || fullWeight.shape[3] != KernelSize)
            throw new ArgumentException($"expected a weight of shape ({OutChannels}, {InChannels}, {KernelSize}, {KernelSize}), got ({string.Join(", ", fullWeight.shape)})");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (um, vm) = LowRankMath.Decompose(LowRankMath.ConvWeightToMatrix(fullWeight), Rank);
        u.copy_(UWeightFromMatrix(um, OutChannels, KernelSize));
        v.copy_(VWeightFromMatrix(vm, InChannels, KernelSize));
    }

    /// <summary>U matrix ((C_out k) x r) to the (C_out, r, k, 1) weight of the second conv.</summary>
    public static Tensor UWeightFromMatrix(Tensor uMatrix, long outChannels, long kernel)
    {
        long r = uMatrix.shape[1];
        return uMatrix.reshape(outChannels, kernel, r).permute(0, 2, 1).reshape(outChannels, r, kernel, 1);
    }

    /// <summary>V matrix ((C_in k) x r) to the (r, C_in, 1, k) weight of the first conv.</summary>
    public static Tensor VWeightFromMatrix(Tensor vMatrix, long inChannels, long kernel)
    {
        long r = vMatrix.shape[1];
        return vMatrix.t().reshape(r, inChannels, 1, kernel);
    }

    public long MacsPerSample(long[] inputShape, long[] outputShape)
    {
        long hIn = inputShape[2], hOut = outputShape[2], wOut = outputShape[3];
        return Rank * InChannels * KernelSize * hIn * wOut + OutChannels * Rank * KernelSize * hOut * wOut;
    }
}
