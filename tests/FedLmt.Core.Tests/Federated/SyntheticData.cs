using FedLmt.Federated;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

/// <summary>A client's data held in memory: shuffled train batches from the seed, test batches in order.</summary>
sealed class InMemoryClientData : IClientData
{
    readonly Tensor _trainX, _trainY, _testX, _testY;

    public InMemoryClientData(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY)
    {
        (_trainX, _trainY, _testX, _testY) = (trainX, trainY, testX, testY);
        foreach (var t in new[] { trainX, trainY, testX, testY }) t.DetachFromDisposeScope();
    }

    public int TrainCount => (int)_trainY.shape[0];
    public int TestCount => (int)_testY.shape[0];

    /// <summary>Every shuffle seed this client was asked for, in order.</summary>
    public List<long> SeedsSeen { get; } = [];

    public IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed)
    {
        SeedsSeen.Add(shuffleSeed);
        var order = Enumerable.Range(0, TrainCount).ToArray();
        var rng = new SplitMix64(shuffleSeed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var idx = order.Skip(start).Take(batchSize).Select(i => (long)i).ToArray();
            using var index = torch.tensor(idx);
            yield return (_trainX.index_select(0, index), _trainY.index_select(0, index));
        }
    }

    public IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize)
    {
        for (long start = 0; start < TestCount; start += batchSize)
        {
            long len = Math.Min(batchSize, TestCount - start);
            using var x = _testX.narrow(0, start, len);
            using var y = _testY.narrow(0, start, len);
            yield return (x.clone(), y.clone());
        }
    }
}

/// <summary>A client whose device dies as soon as it is asked to do anything.</summary>
sealed class VanishingClientData(int trainCount) : IClientData
{
    public int TrainCount => trainCount;
    public int TestCount => 0;
    public IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed) => throw new IOException("connection lost");
    public IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize) => throw new IOException("connection lost");
}

/// <summary>
/// A linearly separable 4-class problem on 1x4x4 "images": x ~ N(0, 1), y = argmax(W x) for a fixed random teacher W,
/// split over clients; chance is 25%.
/// </summary>
static class SyntheticProblem
{
    public const int Classes = 4;

    /// <summary>A tiny MLP (16 -> 32 -> 16 -> 4) for this problem.</summary>
    public static ModelSpec Mlp(double? ratio = null) => new()
    {
        Architecture = "mlp", InChannels = 1, Height = 4, Width = 4, NumClasses = Classes, WidthMultiplier = 0.125, Ratio = ratio,
    };

    /// <summary>A tiny CNN (conv 1->4, conv 4->8, fc 32->16, head) for this problem.</summary>
    public static ModelSpec Cnn(double? ratio = null) => new()
    {
        Architecture = "cnn", InChannels = 1, Height = 4, Width = 4, NumClasses = Classes, WidthMultiplier = 0.125, Ratio = ratio,
    };

    public static IReadOnlyList<InMemoryClientData> Clients(int count, int trainEach = 120, int testEach = 60, long seed = 7)
    {
        var g = new Generator((ulong)seed);
        using var teacher = torch.randn(16, Classes, generator: g);
        var clients = new List<InMemoryClientData>();
        for (int c = 0; c < count; c++)
        {
            // Unequal sizes so the weights of the average matter.
            int train = trainEach + 20 * c;
            var x = torch.randn(train + testEach, 1, 4, 4, generator: g);
            using var logits = x.flatten(1).matmul(teacher);
            var y = logits.argmax(1);
            clients.Add(new InMemoryClientData(x.narrow(0, 0, train).clone(), y.narrow(0, 0, train).clone(),
                x.narrow(0, train, testEach).clone(), y.narrow(0, train, testEach).clone()));
            x.Dispose();
            y.Dispose();
        }
        return clients;
    }
}
