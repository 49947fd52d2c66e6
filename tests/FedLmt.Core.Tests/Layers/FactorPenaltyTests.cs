using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class FactorPenaltyTests
{
    static FactorizedLinear LinearWithFactors(float[] u, float[] v)
    {
        var layer = new FactorizedLinear(2, 2, rank: 1, hasBias: false);
        using var noGrad = torch.no_grad();
        var p = layer.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        p["u"].copy_(torch.tensor(u).reshape(2, 1));
        p["v"].copy_(torch.tensor(v).reshape(2, 1));
        return layer;
    }

    [Fact]
    public void Penalties_match_hand_computed_values()
    {
        // u = (1, 2), v = (3, 4): U V^T = [[3, 4], [6, 8]]; ||.||_F^2 = 9 + 16 + 36 + 64 = 125.
        // ||u||^2 = 5, ||v||^2 = 25: Kronecker 125, L2 30.
        using var scope = torch.NewDisposeScope();
        var layer = LinearWithFactors([1, 2], [3, 4]);
        Assert.Equal(125.0, FactorPenalty.Of(layer, PenaltyKind.Frobenius).item<float>(), 4);
        Assert.Equal(125.0, FactorPenalty.Of(layer, PenaltyKind.Kronecker).item<float>(), 4);
        Assert.Equal(30.0, FactorPenalty.Of(layer, PenaltyKind.L2).item<float>(), 4);
    }

    [Fact]
    public void Model_penalty_sums_layers_and_scales_by_lambda()
    {
        using var scope = torch.NewDisposeScope();
        var model = nn.Sequential(("a", LinearWithFactors([1, 2], [3, 4])), ("b", LinearWithFactors([1, 0], [0, 1])));
        // Frobenius: 125 + 1 = 126, times lambda 0.01.
        Assert.Equal(1.26, FactorPenalty.Compute(model, PenaltyKind.Frobenius, 0.01)!.item<float>(), 4);
        Assert.Null(FactorPenalty.Compute(model, PenaltyKind.None, 0.01));
        Assert.Null(FactorPenalty.Compute(model, PenaltyKind.L2, 0));
    }

    [Fact]
    public void Frobenius_penalty_of_a_conv_equals_the_squared_norm_of_its_recovered_weight()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedConv2d(3, 4, 3, rank: 2, init: FactorInit.Direct);
        double direct = layer.RecoverWeight().square().sum().item<float>();
        var penalty = FactorPenalty.Of(layer, PenaltyKind.Frobenius);
        Assert.Equal(direct, penalty.item<float>(), 4);
        penalty.backward();
        Assert.True(layer.parameters().All(p => p.grad is not null));
    }
}
