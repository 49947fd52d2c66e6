using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>The matrix algebra of METHOD.md section 2: ranks, the conv-weight matrix view, truncated SVD and recovery.</summary>
public static class LowRankMath
{
    /// <summary>
    /// Rank of a factorized layer: round(ratio x outDim) with Python's round-half-to-even, at least 1, and at most
    /// <paramref name="fullRank"/> (a larger rank cannot add anything an SVD could fill).
    /// </summary>
    public static int Rank(double ratio, long outDim, long fullRank)
    {
        if (!(ratio > 0) || double.IsInfinity(ratio))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio must be a finite number > 0");
        long r = (long)Math.Round(ratio * outDim, MidpointRounding.ToEven);
        return (int)Math.Clamp(r, 1, fullRank);
    }

    /// <summary>W[o,i,kh,kw] as the (C_out k) x (C_in k) matrix with rows (o,kh) and columns (i,kw).</summary>
    public static Tensor ConvWeightToMatrix(Tensor weight)
    {
        RequireSquareKernel(weight);
        long cout = weight.shape[0], cin = weight.shape[1], k = weight.shape[2];
        return weight.permute(0, 2, 1, 3).reshape(cout * k, cin * k);
    }

    /// <summary>Inverse of <see cref="ConvWeightToMatrix"/>.</summary>
    public static Tensor MatrixToConvWeight(Tensor matrix, long outChannels, long inChannels, long kernel) =>
        matrix.reshape(outChannels, kernel, inChannels, kernel).permute(0, 2, 1, 3).contiguous();

    /// <summary>
    /// Truncated SVD M = P S Q^T, returned as U = P_r sqrt(S_r) and V = Q_r sqrt(S_r), so U V^T is the best rank-r
    /// approximation of M (Eckart-Young). Computed in float64 and returned in M's dtype.
    /// </summary>
    public static (Tensor U, Tensor V) Decompose(Tensor matrix, int rank)
    {
        using var svd = new SvdFactors(matrix);
        return svd.Truncate(rank);
    }

    /// <summary>U V^T for matrix factors.</summary>
    public static Tensor Recover(Tensor u, Tensor v) => u.matmul(v.t());

    /// <summary>Sets matrix factors <paramref name="u"/> (m x r) and <paramref name="v"/> (n x r) to the rank-r truncated SVD of the m x n <paramref name="matrix"/>.</summary>
    public static void LoadTruncated(Tensor matrix, Tensor u, Tensor v)
    {
        var (uf, vf) = Decompose(matrix, (int)u.shape[1]);
        using (uf)
        using (vf)
        using (torch.no_grad())
        {
            u.copy_(uf);
            v.copy_(vf);
        }
    }

    /// <summary>||U V^T||_F^2 computed as sum((U^T U) * (V^T V)) - r x r work instead of m x n.</summary>
    public static Tensor FrobeniusOfProductSquared(Tensor u, Tensor v) => (u.t().matmul(u) * v.t().matmul(v)).sum();

    internal static void RequireSquareKernel(Tensor weight)
    {
        if (weight.dim() != 4 || weight.shape[2] != weight.shape[3])
            throw new ArgumentException(
                $"expected a conv weight of shape (C_out, C_in, k, k), got ({string.Join(", ", weight.shape)})", nameof(weight));
    }
}

/// <summary>
/// One SVD of a matrix, truncated to as many ranks as needed: pFedLMT decomposes the same recovered layer for every
/// client tier, and the SVD is the expensive part.
/// </summary>
public sealed class SvdFactors : IDisposable
{
    readonly Tensor _p, _s, _qh;
    readonly ScalarType _dtype;

    /// <summary>Computes the thin SVD of <paramref name="matrix"/> in float64.</summary>
    public SvdFactors(Tensor matrix)
    {
        if (matrix.dim() != 2) throw new ArgumentException($"expected a matrix, got {matrix.dim()} dimensions", nameof(matrix));
        _dtype = matrix.dtype;
        using var noGrad = torch.no_grad();
        using var m64 = matrix.detach().to(ScalarType.Float64);
        var (p, s, qh) = torch.linalg.svd(m64, fullMatrices: false);
        // This object owns the factors until Dispose, whatever dispose scope is open while it is built.
        (_p, _s, _qh) = (p.DetachFromDisposeScope(), s.DetachFromDisposeScope(), qh.DetachFromDisposeScope());
    }

    /// <summary>Singular values, largest first.</summary>
    public Tensor SingularValues => _s;

    /// <summary>U = P_r sqrt(S_r), V = Q_r sqrt(S_r) in the original dtype; ranks above min(m, n) are refused.</summary>
    public (Tensor U, Tensor V) Truncate(int rank)
    {
        long max = _s.shape[0];
        if (rank < 1 || rank > max)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 1..{max} for this matrix");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var root = _s.narrow(0, 0, rank).sqrt();
        var u = (_p.narrow(1, 0, rank) * root).to(_dtype).contiguous();
        var v = (_qh.narrow(0, 0, rank).t() * root).to(_dtype).contiguous();
        return (u.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _p.Dispose();
        _s.Dispose();
        _qh.Dispose();
    }
}
