using FedLmt.Models;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Models;

public class ModelFamilyTests
{
    [Theory]
    [InlineData("vgg11", 3, 32)]
    [InlineData("vgg16", 1, 28)]
    [InlineData("cnn", 1, 28)]
    [InlineData("mlp", 3, 8)]
    public void Every_architecture_runs_full_and_low_rank_and_recovers_exactly(string arch, int channels, int size)
    {
        using var scope = torch.NewDisposeScope();
        var spec = new ModelSpec { Architecture = arch, InChannels = channels, Height = size, Width = size, NumClasses = 5, WidthMultiplier = 0.25 };
        using var low = ModelFactory.Create(spec with { Ratio = 0.3 }, seed: 1);
        Assert.NotEmpty(LowRankConversion.FactorizedLayers(low));
        var x = torch.randn(4, channels, size, size, generator: new Generator(2));
        var y = low.forward(x);
        Assert.Equal(new long[] { 4, 5 }, y.shape);
        using var full = LowRankConversion.Recover(low);
        // Two convs vs one round differently in float32; through up to 13 BatchNorm'd layers that stays below 1e-3.
        TensorAssert.Close(y, full.forward(x), 1e-3);
    }

    [Fact]
    public void Vgg_start_point_counts_convs_within_stages_and_keeps_the_stem()
    {
        var spec = new ModelSpec { Architecture = "vgg16", WidthMultiplier = 0.25, Ratio = 0.5, DecomposeFrom = new HybridStart(2, 1) };
        using var model = ModelFactory.Create(spec);
        var factorized = LowRankConversion.FactorizedLayers(model).Keys.Order().ToArray();
        // VGG-16 stages 2,2,3,3,3: from (2,1) on: stage 2 convs 1,2 and all 6 convs of stages 3 and 4.
        Assert.Equal(8, factorized.Length);
        Assert.Equal("stages.2.1.conv", factorized[0]);
        Assert.True(model.IsCommon("stages.2.0.conv.weight"));
        Assert.False(model.IsCommon("stages.2.1.bn.weight"));
        Assert.False(model.IsCommon("classifier.weight"));
        using var all = ModelFactory.Create(spec with { DecomposeFrom = HybridStart.All });
        Assert.DoesNotContain("stages.0.0.conv", LowRankConversion.FactorizedLayers(all).Keys);
    }

    [Fact]
    public void Unknown_architecture_and_bad_values_are_refused_by_name()
    {
        Assert.Contains("allowed: resnet18", Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec { Architecture = "resnet50" })).Message);
        Assert.Contains("model.ratio", Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec { Ratio = -1 })).Message);
        Assert.Contains("model.num_classes", Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec { NumClasses = 1 })).Message);
    }

    [Fact]
    public void Hybrid_start_parses_common_spellings()
    {
        Assert.Equal(new HybridStart(2, 1), HybridStart.Parse("(2,1)"));
        Assert.Equal(new HybridStart(0, 1), HybridStart.Parse("0, 1"));
        Assert.Throws<FormatException>(() => HybridStart.Parse("two"));
    }
}
