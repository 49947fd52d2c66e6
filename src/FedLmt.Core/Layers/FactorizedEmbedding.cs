using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>
/// An embedding table T = U V^T (rows are tokens): each id looks up its row of U (an embedding into rank r), and a
/// linear map r -> E without bias (V, E x r) projects it: y = U[id] V^T. Full rank it is exactly an embedding of
/// table U V^T, so decompose and recover move between the two without loss.
/// </summary>
public sealed class FactorizedEmbedding : nn.Module<Tensor, Tensor>, IFactorizedLayer
{
    // Field names are the parameter names that travel: "u" (rows x r), "v" (dim x r).
    readonly Parameter u;
    readonly Parameter v;

    /// <summary>Creates the table; <paramref name="init"/> chooses spectral (decompose a table drawn N(0, 0.1^2)) or direct.</summary>
    public FactorizedEmbedding(long rows, long dim, int rank, FactorInit init = FactorInit.Spectral, Generator? generator = null)
        : base(nameof(FactorizedEmbedding))
    {
        TorchRuntime.EnsureInitialized();
        if (rows < 1 || dim < 1) throw new ArgumentOutOfRangeException(nameof(rows), "rows and dimension must be >= 1");
        FullRank = Math.Min(rows, dim);
        if (rank < 1 || rank > FullRank)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 1..{FullRank} for a {rows}x{dim} table");
        Rows = rows;
        Dim = dim;
        Rank = rank;
        u = new Parameter(torch.empty(rows, rank));
        v = new Parameter(torch.empty(dim, rank));
        Reset(init, generator);
        RegisterComponents();
    }

    /// <summary>The standard deviation of the full table spectral init decomposes (the authors' transformer draws N(0, 0.1^2)).</summary>
    public const double TableStd = 0.1;

    public long Rows { get; }
    public long Dim { get; }
    public int Rank { get; }
    public long FullRank { get; }

    /// <summary>Spectral (and the authors' scheme): the truncated SVD of a table drawn N(0, 0.1^2); direct: each factor normal, scaled so the entries of U V^T have standard deviation 0.1.</summary>
    public void Reset(FactorInit init, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (init is FactorInit.Direct)
        {
            double std = Math.Sqrt(TableStd / Math.Sqrt(Rank));
            u.normal_(0, std, generator);
            v.normal_(0, std, generator);
        }
        else LoadFromFull(torch.empty(Rows, Dim).normal_(0, TableStd, generator));
    }

    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.reshape(-1);
        using var rows = u.index_select(0, flat);
        using var projected = nn.functional.linear(rows, v);
        return projected.reshape([.. ids.shape, Dim]);
    }

    public Tensor UMatrix() => u;
    public Tensor VMatrix() => v;
    public Tensor RecoverWeight() => LowRankMath.Recover(u, v);

    public void LoadFromFull(Tensor fullWeight)
    {
        if (fullWeight.dim() != 2 || fullWeight.shape[0] != Rows || fullWeight.shape[1] != Dim)
            throw new ArgumentException($"expected a table of shape ({Rows}, {Dim}), got ({string.Join(", ", fullWeight.shape)})");
        LowRankMath.LoadTruncated(fullWeight, u, v);
    }

    /// <summary>The projection r -> E at every looked-up position (the look-up itself costs no multiply-accumulates).</summary>
    public long MacsPerSample(long[] inputShape, long[] outputShape)
    {
        long positions = outputShape.Skip(1).SkipLast(1).Aggregate(1L, (a, b) => a * b);
        return positions * Rank * Dim;
    }
}
