using FedLmt.Layers;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class FactorizedConv2dTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 0)]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    public void Forward_equals_the_full_conv_with_the_recovered_weight(int stride, int padding)
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(1);
        var layer = new FactorizedConv2d(6, 8, 3, rank: 5, stride: stride, padding: padding);
        var x = torch.randn(2, 6, 11, 9);
        // float64 never takes oneDNN: the expectation does not depend on the convolution path under test
        var expected = nn.functional.conv2d(x.to(ScalarType.Float64), layer.RecoverWeight().to(ScalarType.Float64), strides: [stride, stride], padding: [padding, padding]);
        TensorAssert.Close(expected, layer.forward(x), 1e-5);
    }

    [Fact]
    public void Decompose_then_recover_is_exact_at_full_rank_with_the_permuted_layout()
    {
        // METHOD.md: the reference's unpermuted reshape gives relative error ~1.3 here; ours must be exact.
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(8, 6, 3, 3, generator: new Generator(2));
        var layer = new FactorizedConv2d(6, 8, 3, rank: 18, padding: 1);
        layer.LoadFromFull(w);
        Assert.True(TensorAssert.RelativeError(layer.RecoverWeight(), w) < 1e-5);
        var x = torch.randn(1, 6, 7, 7);
        TensorAssert.Close(nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: [1, 1]), layer.forward(x), 1e-4);
    }

    [Fact]
    public void Truncated_conv_weight_error_follows_eckart_young_on_the_matrix_view()
    {
        using var scope = torch.NewDisposeScope();
        double[] s = [5, 4, 3, 2, 1, 0.5, 0.25, 0.1, 0.05];
        var m = TensorAssert.WithSingularValues(4 * 3, 3 * 3, s, seed: 9).to(ScalarType.Float32); // C_out 4, C_in 3, k 3
        var w = LowRankMath.MatrixToConvWeight(m, 4, 3, 3);
        var layer = new FactorizedConv2d(3, 4, 3, rank: 4);
        layer.LoadFromFull(w);
        double error = (layer.RecoverWeight() - w).to(ScalarType.Float64).norm().item<double>();
        Assert.Equal(Math.Sqrt(s.Skip(4).Sum(x => x * x)), error, 4);
    }

    [Fact]
    public void Parameters_are_u_and_v_in_conv_layouts_and_gradients_reach_both()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedConv2d(4, 6, 3, rank: 2, padding: 1, hasBias: true);
        var names = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(new[] { "bias", "u", "v" }, names.Keys.Order());
        Assert.Equal(new long[] { 6, 2, 3, 1 }, names["u"].shape);
        Assert.Equal(new long[] { 2, 4, 1, 3 }, names["v"].shape);
        Assert.Equal(2 * 3 * (4 + 6) + 6, layer.parameters().Sum(p => p.numel()));

        layer.forward(torch.randn(2, 4, 5, 5)).square().sum().backward();
        Assert.True(names["u"].grad!.abs().sum().item<float>() > 0);
        Assert.True(names["v"].grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Matrix_views_round_trip_through_the_weight_layouts()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedConv2d(3, 5, 3, rank: 4, init: FactorInit.Direct);
        var u = layer.UMatrix();
        var v = layer.VMatrix();
        Assert.Equal(new long[] { 15, 4 }, u.shape);
        Assert.Equal(new long[] { 9, 4 }, v.shape);
        var named = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(named["u"].data<float>().ToArray(), FactorizedConv2d.UWeightFromMatrix(u, 5, 3).contiguous().data<float>().ToArray());
        Assert.Equal(named["v"].data<float>().ToArray(), FactorizedConv2d.VWeightFromMatrix(v, 3, 3).contiguous().data<float>().ToArray());
    }

    [Fact]
    public void A_rank_beyond_k_min_channels_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FactorizedConv2d(2, 8, 3, rank: 7));
        Assert.Contains("1..6", ex.Message);
    }
}
