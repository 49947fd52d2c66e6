using FedLmt.Layers;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class FactorizedLinearTests
{
    [Fact]
    public void Forward_is_u_times_v_transpose_x_plus_bias()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedLinear(5, 3, rank: 2);
        var p = layer.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var x = torch.randn(4, 5);
        var expected = x.matmul(p["v"]).matmul(p["u"].t()) + p["bias"];
        TensorAssert.Close(expected, layer.forward(x), 1e-6);
        TensorAssert.Close(nn.functional.linear(x, layer.RecoverWeight(), p["bias"]), layer.forward(x), 1e-5);
    }

    [Fact]
    public void Full_rank_decomposition_reproduces_the_weight()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(7, 4, generator: new Generator(4));
        var layer = new FactorizedLinear(4, 7, rank: 4);
        layer.LoadFromFull(w);
        Assert.True(TensorAssert.RelativeError(layer.RecoverWeight(), w) < 1e-5);
    }

    [Fact]
    public void Direct_init_gives_factors_in_the_kaiming_range()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedLinear(100, 50, rank: 10, init: FactorInit.Direct);
        // kaiming_uniform(a = sqrt 5) on a (fan_out, fan_in) tensor: bound = sqrt(6 / ((1 + 5) fan_in)) = 1/sqrt(fan_in), fan_in = r.
        double bound = 1 / Math.Sqrt(10);
        Assert.True(layer.UMatrix().abs().max().item<float>() <= bound + 1e-6);
        Assert.True(layer.UMatrix().abs().max().item<float>() > bound * 0.8);
    }
}
