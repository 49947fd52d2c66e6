using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Models;

public class KaimingFanOutInitTests
{
    /// <summary>Standard deviation and mean of a parameter's values, in float64.</summary>
    static (double Std, double Mean) Moments(Tensor t)
    {
        using var d = t.detach().to(ScalarType.Float64);
        return (d.std().item<double>(), d.mean().item<double>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.2)]
    public void Every_large_conv_weight_has_the_standard_deviation_sqrt_2_over_fan_out(double? ratio)
    {
        var spec = new ModelSpec { Architecture = "resnet18", InChannels = 3, Height = 32, Width = 32, Ratio = ratio, Init = FactorInit.KaimingFanOut };
        using var model = ModelFactory.Create(spec, seed: 4);
        int checkedWeights = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            if (p.dim() != 4 || p.numel() < 100_000) continue; // large layers: the sample std is within ~0.5% of the truth
            long fanOut = p.shape[0] * p.shape[2] * p.shape[3]; // output channels x kernel area of this conv (or factor conv)
            var (std, mean) = Moments(p);
            double expected = Math.Sqrt(2.0 / fanOut);
            Assert.True(Math.Abs(std / expected - 1) < 0.02, $"{name}: std {std:G4}, expected {expected:G4}");
            Assert.True(Math.Abs(mean) < 0.02 * expected, $"{name}: mean {mean:G3}");
            checkedWeights++;
        }
        Assert.True(checkedWeights >= (ratio is null ? 10 : 8), $"only {checkedWeights} large conv weights");
    }

    [Fact]
    public void Factor_convs_are_drawn_as_convs_of_their_own_and_batchnorm_and_head_keep_their_defaults()
    {
        var spec = new ModelSpec { Architecture = "resnet18", InChannels = 1, Height = 28, Width = 28, Ratio = 0.2, Init = FactorInit.KaimingFanOut };
        using var model = ModelFactory.Create(spec, seed: 9);
        var state = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // layer4.1.conv2: 512 -> 512, rank round(0.2 x 512) = 102; u is (512, 102, 3, 1), v is (102, 512, 1, 3).
        Assert.Equal(new long[] { 512, 102, 3, 1 }, state["layer4.1.conv2.u"].shape);
        Assert.True(Math.Abs(Moments(state["layer4.1.conv2.u"]).Std / Math.Sqrt(2.0 / (512 * 3)) - 1) < 0.02);
        Assert.True(Math.Abs(Moments(state["layer4.1.conv2.v"]).Std / Math.Sqrt(2.0 / (102 * 3)) - 1) < 0.02);
        Assert.True(state["bn1.weight"].eq(1).all().item<bool>());
        Assert.True(state["layer2.0.bn2.bias"].eq(0).all().item<bool>());
        // The linear head stays at PyTorch's default: U(-1/sqrt(512), 1/sqrt(512)).
        double bound = 1 / Math.Sqrt(512);
        Assert.True(state["linear.weight"].abs().max().item<float>() <= bound + 1e-7);
        Assert.True(Moments(state["linear.weight"]).Std > 0.9 * bound / Math.Sqrt(3));
    }

    [Fact]
    public void The_scheme_is_several_times_larger_than_the_spectral_factors()
    {
        // The suspect of the parity gap: the authors' factors start several times larger than spectral ones.
        double FactorStd(FactorInit init)
        {
            using var model = ModelFactory.Create(new ModelSpec { Architecture = "resnet18", InChannels = 1, Height = 28, Width = 28, Ratio = 0.2, Init = init }, seed: 3);
            return Moments(model.named_parameters().First(p => p.name == "layer3.1.conv1.v").parameter).Std;
        }
        Assert.True(FactorStd(FactorInit.KaimingFanOut) > 3 * FactorStd(FactorInit.Spectral));
    }

    [Fact]
    public void Config_names_round_trip_and_an_unknown_one_is_refused_with_the_allowed_values()
    {
        foreach (var init in Enum.GetValues<FactorInit>()) Assert.Equal(init, FactorInits.Parse(FactorInits.Name(init)));
        var e = Assert.Throws<ArgumentException>(() => FactorInits.Parse("kaiming"));
        Assert.Contains("model.init", e.Message);
        Assert.Contains("kaiming_fan_out", e.Message);
    }
}
