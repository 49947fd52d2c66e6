using FedLmt.Data;
using FedLmt.Federated;
using static TorchSharp.torch;

namespace FedLmt.Runs;

/// <summary>
/// One simulated client's data: its train and test index arrays into a shared dataset split, read as images or, for a
/// text corpus, as token windows shaped by the run's <see cref="TextTask"/>.
/// </summary>
public sealed class PartitionedClientData : IClientData
{
    readonly DatasetSplit _data;
    readonly int[] _train, _test;
    readonly TextTask _text;
    Func<long, IEnumerable<Batch>>? _trainEpoch;
    Func<IEnumerable<Batch>>? _testBatches;
    int _trainBatchSize, _testBatchSize;

    /// <summary>
    /// A client over <paramref name="trainIndices"/> and <paramref name="testIndices"/> of <paramref name="data"/>;
    /// <paramref name="text"/> says how a text corpus's windows become batches (the run's <see cref="RunConfig.TextTask"/>:
    /// required for text, so no evaluation silently reads another objective; null for images).
    /// </summary>
    public PartitionedClientData(DatasetSplit data, int[] trainIndices, int[] testIndices, TextTask? text)
    {
        _data = data;
        _train = trainIndices;
        _test = testIndices;
        _text = text ?? (data.Train is TokenSequences
            ? throw new ArgumentException($"dataset '{data.Train.Name}' is a text corpus: its client data needs the run's text task")
            : new TextTask());
    }

    public int TrainCount => _train.Length;
    public int TestCount => _test.Length;

    public IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed)
    {
        if (_trainEpoch is null || _trainBatchSize != batchSize)
        {
            _trainEpoch = _data.Train switch
            {
                ImageDataset images => new BatchLoader(images, _train, batchSize, _data.TrainAugmentation).Epoch,
                TokenSequences text => new SequenceLoader(text, _train, batchSize, _text).Epoch,
                var other => throw new NotSupportedException($"no loader reads dataset '{other.Name}' ({other.GetType().Name})"),
            };
            _trainBatchSize = batchSize;
        }
        foreach (var batch in _trainEpoch(shuffleSeed)) yield return (batch.X, batch.Y);
    }

    public IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize)
    {
        if (_testBatches is null || _testBatchSize != batchSize)
        {
            _testBatches = _data.Test switch
            {
                ImageDataset images => new BatchLoader(images, _test, batchSize).InOrder,
                TokenSequences text => new SequenceLoader(text, _test, batchSize, _text).InOrder,
                var other => throw new NotSupportedException($"no loader reads dataset '{other.Name}' ({other.GetType().Name})"),
            };
            _testBatchSize = batchSize;
        }
        foreach (var batch in _testBatches()) yield return (batch.X, batch.Y);
    }

    /// <summary>One client per partition entry.</summary>
    public static IReadOnlyList<PartitionedClientData> ForPartition(DatasetSplit data, FederatedPartition partition, TextTask? text) =>
        Enumerable.Range(0, partition.ClientCount).Select(i => new PartitionedClientData(data, partition.Train[i], partition.Test[i], text)).ToList();
}
