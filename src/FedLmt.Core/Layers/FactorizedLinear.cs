using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>A linear layer W = U V^T: y = U (V^T x) + b, with U (out x r) and V (in x r).</summary>
public sealed class FactorizedLinear : nn.Module<Tensor, Tensor>, IFactorizedLayer
{
    // Field names are the parameter names that travel: "u", "v", "bias".
    readonly Parameter u;
    readonly Parameter v;
    readonly Parameter? bias;

    /// <summary>Creates the layer; <paramref name="init"/> chooses spectral (decompose a default-initialized full layer) or direct.</summary>
    public FactorizedLinear(long inFeatures, long outFeatures, int rank, bool hasBias = true, FactorInit init = FactorInit.Spectral,
        Generator? generator = null)
        : base(nameof(FactorizedLinear))
    {
        TorchRuntime.EnsureInitialized();
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), "features must be >= 1");
        FullRank = Math.Min(inFeatures, outFeatures);
        if (rank < 1 || rank > FullRank)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 1..{FullRank} for a {outFeatures}x{inFeatures} weight");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Rank = rank;
        u = new Parameter(torch.empty(outFeatures, rank));
        v = new Parameter(torch.empty(inFeatures, rank));
        bias = hasBias ? new Parameter(torch.empty(outFeatures)) : null;
        Reset(init, generator);
        RegisterComponents();
    }

    /// <summary>
    /// Re-initializes as PyTorch initializes a Linear (U(-1/sqrt(fan_in), 1/sqrt(fan_in))): spectral decomposes such a
    /// full weight, direct draws each factor with fan_in = r.
    /// </summary>
    public void Reset(FactorInit init, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double fullBound = 1 / Math.Sqrt(InFeatures);
        if (init is FactorInit.Spectral or FactorInit.KaimingFanOut) // the authors' scheme leaves linear layers to PyTorch's default
            LoadFromFull(torch.empty(OutFeatures, InFeatures).uniform_(-fullBound, fullBound, generator));
        else
        {
            double bound = 1 / Math.Sqrt(Rank);
            u.uniform_(-bound, bound, generator);
            v.uniform_(-bound, bound, generator);
        }
        bias?.uniform_(-fullBound, fullBound, generator);
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public int Rank { get; }
    public long FullRank { get; }

    public override Tensor forward(Tensor input)
    {
        using var hidden = input.matmul(v);
        return nn.functional.linear(hidden, u, bias);
    }

    public Tensor UMatrix() => u;
    public Tensor VMatrix() => v;
    public Tensor RecoverWeight() => LowRankMath.Recover(u, v);

    public void LoadFromFull(Tensor fullWeight)
    {
        if (fullWeight.dim() != 2 || fullWeight.shape[0] != OutFeatures || fullWeight.shape[1] != InFeatures)
            throw new ArgumentException($"expected a weight of shape ({OutFeatures}, {InFeatures}), got ({string.Join(", ", fullWeight.shape)})");
        LowRankMath.LoadTruncated(fullWeight, u, v);
    }

    public long MacsPerSample(long[] inputShape, long[] outputShape)
    {
        long positions = outputShape.Skip(1).SkipLast(1).Aggregate(1L, (a, b) => a * b);
        return positions * Rank * (InFeatures + OutFeatures);
    }
}
