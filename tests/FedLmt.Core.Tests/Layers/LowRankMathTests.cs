using FedLmt.Layers;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class LowRankMathTests
{
    [Theory]
    [InlineData(0.2, 64, 192, 13)]    // 12.8
    [InlineData(0.2, 128, 384, 26)]   // 25.6
    [InlineData(0.2, 256, 768, 51)]   // 51.2
    [InlineData(0.2, 512, 1536, 102)] // 102.4
    [InlineData(0.01, 64, 192, 1)]    // 0.64, and never below 1
    [InlineData(0.001, 64, 192, 1)]
    [InlineData(1.4, 256, 768, 358)]  // 358.4
    [InlineData(0.5, 5, 15, 2)]       // 2.5 rounds half to even, as Python's round
    [InlineData(0.5, 7, 21, 4)]       // 3.5 -> 4
    [InlineData(3.0, 64, 192, 192)]   // capped at the full rank
    public void Rank_rounds_like_the_reference_and_stays_in_range(double ratio, long outDim, long fullRank, int expected) =>
        Assert.Equal(expected, LowRankMath.Rank(ratio, outDim, fullRank));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.2)]
    [InlineData(double.NaN)]
    public void Rank_refuses_a_ratio_that_is_not_positive(double ratio) =>
        Assert.Contains("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => LowRankMath.Rank(ratio, 64, 192)).Message);

    [Fact]
    public void Conv_weight_matrix_has_rows_out_by_kh_and_columns_in_by_kw()
    {
        // W[o=0, i, kh, kw] = 4i + 2kh + kw, so M[kh, 2i + kw] = 4i + 2kh + kw.
        using var w = torch.arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2);
        using var m = LowRankMath.ConvWeightToMatrix(w);
        Assert.Equal(new long[] { 2, 4 }, m.shape);
        Assert.Equal(new float[] { 0, 1, 4, 5, 2, 3, 6, 7 }, m.data<float>().ToArray());
        using var back = LowRankMath.MatrixToConvWeight(m, 1, 2, 2);
        Assert.Equal(w.data<float>().ToArray(), back.data<float>().ToArray());
    }

    [Fact]
    public void Decompose_then_recover_is_exact_at_full_rank()
    {
        using var scope = torch.NewDisposeScope();
        var m = torch.randn(24, 18, generator: new Generator(7));
        var (u, v) = LowRankMath.Decompose(m, 18);
        Assert.True(TensorAssert.RelativeError(LowRankMath.Recover(u, v), m) < 1e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Truncation_error_is_the_norm_of_the_discarded_singular_values(int rank)
    {
        using var scope = torch.NewDisposeScope();
        double[] s = [9, 7, 4, 2.5, 1, 0.5];
        var m = TensorAssert.WithSingularValues(12, 10, s, seed: 3).to(ScalarType.Float32);
        var (u, v) = LowRankMath.Decompose(m, rank);
        double error = (m - LowRankMath.Recover(u, v)).to(ScalarType.Float64).norm().item<double>();
        double expected = Math.Sqrt(s.Skip(rank).Sum(x => x * x)); // Eckart-Young
        Assert.Equal(expected, error, 4);
        // The split is balanced: U and V carry sqrt(S) each, so both have singular values sqrt(s_1..s_r).
        var su = torch.linalg.svdvals(u.to(ScalarType.Float64)).data<double>().ToArray();
        Assert.Equal(s.Take(rank).Select(Math.Sqrt).ToArray(), su, (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void Frobenius_of_product_matches_the_direct_norm()
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator(11);
        var u = torch.randn(9, 4, generator: g, dtype: ScalarType.Float64);
        var v = torch.randn(6, 4, generator: g, dtype: ScalarType.Float64);
        double direct = u.matmul(v.t()).square().sum().item<double>();
        Assert.Equal(direct, LowRankMath.FrobeniusOfProductSquared(u, v).item<double>(), 9);
    }

    [Fact]
    public void One_svd_serves_every_rank()
    {
        using var scope = torch.NewDisposeScope();
        var m = torch.randn(16, 12, generator: new Generator(5));
        using var svd = new SvdFactors(m);
        foreach (int r in new[] { 2, 6, 12 })
        {
            var (u1, v1) = svd.Truncate(r);
            var (u2, v2) = LowRankMath.Decompose(m, r);
            TensorAssert.Close(LowRankMath.Recover(u2, v2), LowRankMath.Recover(u1, v1), 1e-6);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => svd.Truncate(13));
    }
}

public class SvdFactorsLifetimeTests
{
    [Fact]
    public void Factors_outlive_the_dispose_scope_they_were_built_in()
    {
        SvdFactors svd;
        var m = torch.randn(8, 6, generator: new Generator(1));
        using (torch.NewDisposeScope()) svd = new SvdFactors(m);
        using (svd)
        {
            var (u, v) = svd.Truncate(6);
            Assert.True(FedLmt.Tests.TensorAssert.RelativeError(LowRankMath.Recover(u, v), m) < 1e-5);
        }
    }
}
