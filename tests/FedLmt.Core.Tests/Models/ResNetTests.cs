using FedLmt.Layers;
using FedLmt.Models;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Models;

public class ResNetTests
{
    static ModelSpec Small(double? ratio = null, HybridStart from = default, int channels = 3, int size = 16) => new()
    {
        Architecture = "resnet18", InChannels = channels, Height = size, Width = size, NumClasses = 7,
        WidthMultiplier = 0.125, Ratio = ratio, DecomposeFrom = from,
    };

    [Theory]
    [InlineData(3, 32)]
    [InlineData(1, 28)]
    public void Forward_gives_one_logit_per_class(int channels, int size)
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(Small(0.2, channels: channels, size: size));
        Assert.Equal(new long[] { 3, 7 }, model.forward(torch.randn(3, channels, size, size)).shape);
    }

    [Fact]
    public void Hybrid_keeps_stem_shortcuts_head_and_the_prefix_full_rank()
    {
        using var model = ModelFactory.Create(Small(0.5, new HybridStart(2, 0)));
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("conv1.weight", names);
        Assert.Contains("layer2.1.conv2.weight", names);
        Assert.Contains("layer3.0.conv1.u", names);
        Assert.Contains("layer3.0.conv1.v", names);
        Assert.Contains("layer4.1.conv2.u", names);
        Assert.Contains("layer3.0.shortcut.0.weight", names);
        Assert.Contains("linear.weight", names);
        Assert.DoesNotContain("layer3.0.conv1.weight", names);
        Assert.DoesNotContain(names, n => n.Contains("running_mean"));

        Assert.True(model.IsCommon("conv1.weight"));
        Assert.True(model.IsCommon("bn1.bias"));
        Assert.True(model.IsCommon("layer2.1.bn2.weight"));
        Assert.False(model.IsCommon("layer3.0.conv1.u"));
        Assert.False(model.IsCommon("layer3.0.shortcut.1.weight"));
        Assert.False(model.IsCommon("linear.bias"));
    }

    [Fact]
    public void Start_point_past_the_last_stage_factorizes_nothing()
    {
        using var model = ModelFactory.Create(Small(0.5, new HybridStart(4, 0)));
        Assert.Empty(LowRankConversion.FactorizedLayers(model));
    }

    [Fact]
    public void Running_statistics_are_a_model_option()
    {
        using var model = ModelFactory.Create(Small() with { TrackRunningStats = true });
        Assert.Contains("bn1.running_mean", model.state_dict().Keys);
    }

    [Fact]
    public void Recovered_model_computes_what_the_low_rank_model_computes()
    {
        using var scope = torch.NewDisposeScope();
        using var low = ModelFactory.Create(Small(0.3, new HybridStart(1, 1)), seed: 3);
        using var full = LowRankConversion.Recover(low);
        Assert.False(full.Spec.IsLowRank);
        var x = torch.randn(4, 3, 16, 16);
        TensorAssert.Close(low.forward(x), full.forward(x), 1e-4);
    }

    [Fact]
    public void Decomposing_at_full_rank_reproduces_the_full_model()
    {
        using var scope = torch.NewDisposeScope();
        using var full = ModelFactory.Create(Small(), seed: 4);
        using var low = LowRankConversion.Decompose(full, ratio: 10, HybridStart.All); // rank capped at k min(C_in, C_out)
        Assert.NotEmpty(LowRankConversion.FactorizedLayers(low));
        var x = torch.randn(4, 3, 16, 16);
        TensorAssert.Close(full.forward(x), low.forward(x), 1e-4);
    }

    [Fact]
    public void Same_seed_builds_the_same_model_and_gradients_reach_every_factor()
    {
        using var scope = torch.NewDisposeScope();
        using var a = ModelFactory.Create(Small(0.2), seed: 8);
        using var b = ModelFactory.Create(Small(0.2), seed: 8);
        foreach (var ((name, ta), (_, tb)) in a.state_dict().Zip(b.state_dict()))
            Assert.True(ta.allclose(tb, 0, 0), $"{name} differs between equal seeds");

        nn.functional.cross_entropy(a.forward(torch.randn(4, 3, 16, 16)), torch.tensor(new long[] { 0, 1, 2, 3 })).backward();
        foreach (var (name, p) in a.named_parameters().Where(p => p.name.EndsWith(".u") || p.name.EndsWith(".v")))
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name);
    }

    [Fact]
    public void Resnet34_has_3_4_6_3_blocks()
    {
        using var model = ModelFactory.Create(Small() with { Architecture = "resnet34" });
        var blocks = model.state_dict().Keys.Where(k => k.EndsWith(".conv1.weight") && k.StartsWith("layer"))
            .Select(k => k[..6]).GroupBy(s => s).Select(g => g.Count()).ToArray();
        Assert.Equal(new[] { 3, 4, 6, 3 }, blocks);
    }
}
