using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Tests;

static class TensorAssert
{
    /// <summary>||actual - expected||_F / ||expected||_F.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var diff = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64));
        return diff.norm().item<double>() / Math.Max(expected.to(ScalarType.Float64).norm().item<double>(), 1e-30);
    }

    public static void Close(Tensor expected, Tensor actual, double relTol)
    {
        Assert.Equal(expected.shape, actual.shape);
        double err = RelativeError(actual, expected);
        Assert.True(err < relTol, $"relative error {err:E3} >= {relTol:E1}");
    }

    /// <summary>A random m x n matrix with the given singular values (Q1 diag(s) Q2^T from QR of Gaussian matrices).</summary>
    public static Tensor WithSingularValues(int m, int n, double[] singular, long seed)
    {
        var g = new Generator((ulong)seed);
        int k = singular.Length;
        var (q1, _) = torch.linalg.qr(torch.randn(m, k, generator: g, dtype: ScalarType.Float64));
        var (q2, _) = torch.linalg.qr(torch.randn(n, k, generator: g, dtype: ScalarType.Float64));
        return q1.matmul(torch.diag(torch.tensor(singular))).matmul(q2.t());
    }
}
