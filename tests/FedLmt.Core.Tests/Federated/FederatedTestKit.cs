using FedLmt.Federated;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

/// <summary>Builders shared by the federated tests.</summary>
static class FederatedTestKit
{
    public static readonly ResourceTier Strong = new("strong", 0.5);
    public static readonly ResourceTier Weak = new("weak", 0.5, MacsBudget: 0.5, ParamsBudget: 0.5);

    public static StrategyOptions Options(ModelSpec model, ClientPopulation clients, double fraction = 1.0, double lr = 0.1,
        int rounds = 10, LocalTrainingConfig? local = null, long seed = 11) => new()
    {
        Model = model,
        Clients = clients,
        Fraction = fraction,
        LearningRate = new CosineSchedule(lr, lr / 10, rounds),
        Local = local ?? new LocalTrainingConfig { Epochs = 1, BatchSize = 32, WeightDecay = 1e-4 },
        Seed = seed,
        EvalBatchSize = 64,
    };

    /// <summary>A reply for <paramref name="client"/> whose every entry equals <paramref name="value"/>, shaped like <paramref name="like"/>.</summary>
    public static TrainReply ConstantReply(int client, NamedTensors like, float value, long examples, Func<string, bool>? only = null)
    {
        using var noGrad = torch.no_grad();
        var entries = like.Where(only ?? (_ => true)).Select(kv => KeyValuePair.Create(kv.Key, torch.full_like(kv.Value, value)));
        return new TrainReply(client, NamedTensors.Own(entries), examples, new Dictionary<string, double> { [MetricNames.TrainLoss] = value });
    }

    /// <summary>Whether two maps have the same names and bitwise-equal tensors.</summary>
    public static bool Identical(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (name, tensor) in a)
        {
            if (!b.TryGetValue(name, out var other) || !tensor.shape.SequenceEqual(other.shape)) return false;
            using var same = tensor.eq(other).all();
            if (!same.item<bool>()) return false;
        }
        return true;
    }

    public static float[] Values(Tensor t) => t.to(ScalarType.Float32).data<float>().ToArray();
}
