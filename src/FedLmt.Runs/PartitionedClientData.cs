using FedLmt.Data;
using FedLmt.Federated;
using static TorchSharp.torch;

namespace FedLmt.Runs;

/// <summary>One simulated client's data: its train and test index arrays into a shared dataset split.</summary>
public sealed class PartitionedClientData : IClientData
{
    readonly DatasetSplit _data;
    readonly int[] _train, _test;
    BatchLoader? _trainLoader, _testLoader;

    public PartitionedClientData(DatasetSplit data, int[] trainIndices, int[] testIndices)
    {
        _data = data;
        _train = trainIndices;
        _test = testIndices;
    }

    public int TrainCount => _train.Length;
    public int TestCount => _test.Length;

    public IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed)
    {
        if (_trainLoader?.BatchSize != batchSize) _trainLoader = new BatchLoader(_data.Train, _train, batchSize, _data.TrainAugmentation);
        foreach (var batch in _trainLoader.Epoch(shuffleSeed)) yield return (batch.X, batch.Y);
    }

    public IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize)
    {
        if (_testLoader?.BatchSize != batchSize) _testLoader = new BatchLoader(_data.Test, _test, batchSize);
        foreach (var batch in _testLoader.InOrder()) yield return (batch.X, batch.Y);
    }

    /// <summary>One client per partition entry.</summary>
    public static IReadOnlyList<PartitionedClientData> ForPartition(DatasetSplit data, FederatedPartition partition) =>
        Enumerable.Range(0, partition.ClientCount).Select(i => new PartitionedClientData(data, partition.Train[i], partition.Test[i])).ToList();
}
