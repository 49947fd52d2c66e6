using FedLmt.Federated;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Baselines.Tests;

/// <summary>Tiny models, tiers and hand-set states for the baseline tests.</summary>
static class BaselineTestKit
{
    /// <summary>
    /// An MLP small enough to check by hand: 3 inputs -> fc1 (4) -> fc2 (2) -> fc3 (2 classes). Rate 1/2 keeps fc1 2
    /// and fc2 1; rate 1/4 keeps 1 and 1. Forward MACs: 24 full, 10 at 1/2, 6 at 1/4.
    /// </summary>
    public static ModelSpec TinyMlp { get; } = new()
    {
        Architecture = "mlp", InChannels = 1, Height = 1, Width = 3, NumClasses = 2, WidthMultiplier = 1.0 / 64,
    };

    /// <summary>A small CNN on 1x8x8 input: conv1 4, conv2 8 (3x3), fc1 16 reading a flattened 8x2x2 map, 2 classes.</summary>
    public static ModelSpec TinyCnn { get; } = new()
    {
        Architecture = "cnn", InChannels = 1, Height = 8, Width = 8, NumClasses = 2, WidthMultiplier = 0.125,
    };

    public static readonly ResourceTier Full = new("full", 0);
    /// <summary>Affords the tiny MLP at rate 1/2 (10/24 = 0.42 of the MACs) but not the full one.</summary>
    public static readonly ResourceTier HalfWidth = new("half", 0, MacsBudget: 0.45);
    /// <summary>Affords the tiny MLP at rate 1/4 (6/24 = 0.25) but not at 1/2.</summary>
    public static readonly ResourceTier QuarterWidth = new("quarter", 0, MacsBudget: 0.3);
    /// <summary>Affords nothing.</summary>
    public static readonly ResourceTier Starved = new("starved", 0, MacsBudget: 0.01);

    public static StrategyOptions Options(ModelSpec spec, params ResourceTier[] tierOfClient) => new()
    {
        Model = spec,
        Clients = new ClientPopulation(tierOfClient),
        Fraction = 1.0,
        LearningRate = new CosineSchedule(0.1, 0.001, 10),
        Seed = 7,
    };

    /// <summary>Every entry of the strategy's global model set to 0, 1, 2, ... in row-major order.</summary>
    public static void SetGlobalToRowMajorCounts(IStrategy strategy)
    {
        using var exported = strategy.ExportState();
        using var counted = NamedTensors.Own(exported.Global.Select(kv =>
            KeyValuePair.Create(kv.Key, torch.arange(kv.Value.numel(), dtype: kv.Value.dtype).reshape(kv.Value.shape))));
        strategy.ImportState(exported with { Global = counted });
    }

    public static float[] Values(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();

    public static float[] Row(params float[] values) => values;

    /// <summary>A reply whose every entry is <paramref name="value"/>, shaped like <paramref name="like"/>.</summary>
    public static TrainReply ConstantReply(int client, NamedTensors like, float value, long examples)
    {
        using var noGrad = torch.no_grad();
        var parameters = NamedTensors.Own(like.Select(kv => KeyValuePair.Create(kv.Key, torch.full(kv.Value.shape, value, dtype: kv.Value.dtype))));
        return new TrainReply(client, parameters, examples, new Dictionary<string, double> { [MetricNames.TrainLoss] = value });
    }

    /// <summary>A reply carrying copies of <paramref name="parameters"/>.</summary>
    public static TrainReply Reply(int client, NamedTensors parameters, long examples) =>
        new(client, parameters.Clone(), examples, new Dictionary<string, double>());

    public static void DisposeAll(IEnumerable<IDisposable> items)
    {
        foreach (var i in items) i.Dispose();
    }
}
