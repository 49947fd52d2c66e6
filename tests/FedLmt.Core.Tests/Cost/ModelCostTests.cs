using FedLmt.Cost;
using FedLmt.Layers;
using FedLmt.Models;

namespace FedLmt.Core.Tests.Cost;

public class ModelCostTests
{
    // The independent table (BatchNorm affine included, no running statistics).
    [Theory]
    [InlineData(3, 32, 10, null, 0, 0, 11_173_962, 555_422_720)]
    [InlineData(3, 32, 10, 0.2, 0, 0, 1_752_138, 89_068_544)]
    [InlineData(3, 32, 10, 0.2, 1, 0, 1_879_626, 219_616_256)]
    [InlineData(3, 32, 10, 0.2, 2, 0, 2_320_842, 331_289_600)]
    [InlineData(3, 32, 10, 0.2, 0, 1, 1_815_882, 154_342_400)]
    [InlineData(1, 28, 10, null, 0, 0, 11_172_810, 455_800_832)]
    [InlineData(1, 28, 10, 0.2, 0, 0, 1_750_986, 72_169_472)]
    [InlineData(3, 32, 10, 1.4, 2, 1, 11_096_394, 559_158_272)]
    [InlineData(3, 32, 100, 0.01, 2, 1, 1_849_764, 349_423_616)]
    public void ResNet18_costs_match_the_published_table(int channels, int size, int classes, double? ratio, int stage, int block,
        long parameters, long macs)
    {
        var spec = new ModelSpec
        {
            Architecture = "resnet18", InChannels = channels, Height = size, Width = size, NumClasses = classes,
            Ratio = ratio, DecomposeFrom = new HybridStart(stage, block), Init = FactorInit.Direct,
        };
        using var model = ModelFactory.Create(spec);
        var cost = ModelCost.Measure(model);
        Assert.Equal(parameters, cost.Parameters);
        Assert.Equal(macs, cost.MacsPerSample);
        Assert.Equal(0, cost.BufferElements);
        Assert.Equal(4 * parameters, cost.PayloadBytes);
    }

    [Fact]
    public void Mlp_costs_match_hand_counts()
    {
        // Full: 784*256+256 + 256*128+128 + 128*10+10 = 235,146 params; MACs 784*256 + 256*128 + 128*10 = 234,752.
        var spec = new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 28, Width = 28 };
        using var full = ModelFactory.Create(spec);
        Assert.Equal(new ModelCost(235_146, 0, 4 * 235_146, 234_752), ModelCost.Measure(full));

        // Ratio 0.25: fc1 rank 64 -> 64*(784+256)+256; fc2 rank 32 -> 32*(256+128)+128; head 1,290.
        using var low = ModelFactory.Create(spec with { Ratio = 0.25 });
        var cost = ModelCost.Measure(low);
        Assert.Equal(66_816 + 12_416 + 1_290, cost.Parameters);
        Assert.Equal(64 * 1040 + 32 * 384 + 1280, cost.MacsPerSample);
    }

    [Fact]
    public void Small_cnn_costs_match_hand_counts()
    {
        // 1x28x28: conv1 1->32 (320 params, 32*9*784 MACs), pool 14; conv2 32->64 (18,496, 64*32*9*196), pool 7;
        // fc1 3136->128 (401,536; 401,408), fc2 128->10 (1,290; 1,280).
        var spec = new ModelSpec { Architecture = "cnn", InChannels = 1, Height = 28, Width = 28 };
        using var model = ModelFactory.Create(spec);
        var cost = ModelCost.Measure(model);
        Assert.Equal(320 + 18_496 + 401_536 + 1_290, cost.Parameters);
        Assert.Equal(32L * 9 * 784 + 64L * 32 * 9 * 196 + 401_408 + 1_280, cost.MacsPerSample);
    }

    [Fact]
    public void Tracked_batchnorm_statistics_count_as_buffers_and_payload()
    {
        var spec = new ModelSpec { Architecture = "resnet18", TrackRunningStats = true, Ratio = 0.2, Init = FactorInit.Direct };
        using var model = ModelFactory.Create(spec);
        var cost = ModelCost.Measure(model);
        Assert.Equal(1_752_138, cost.Parameters);
        // 20 BatchNorms over 4,800 channels (stem 64, blocks 3,840, shortcuts 896): running mean + var per channel,
        // plus one int64 batch counter each.
        Assert.Equal(4_800 * 2 + 20, cost.BufferElements);
        Assert.Equal(4 * (1_752_138 + 4_800 * 2) + 8 * 20, cost.PayloadBytes);
    }
}
