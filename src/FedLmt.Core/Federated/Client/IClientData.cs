using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// One client's private data as the trainer sees it. The Runs project implements it over the dataset loaders,
/// a deployed client over its local files.
/// </summary>
/// <remarks>
/// Contract: X is what the model takes (float32 (batch, C, H, W) for the image models), Y the int64 targets the run's
/// <see cref="ITask"/> scores the output against (one class index per image; for a sequence model one per position);
/// the first dimension of both is the batch's examples. Every yielded
/// tensor is fresh and owned by the consumer, which disposes it after the batch. <see cref="TrainBatches"/> yields each
/// of the <see cref="TrainCount"/> samples once, in ceil(TrainCount / batchSize) batches (the last may be smaller), in
/// an order that is a pure function of <c>shuffleSeed</c> (augmentation, if any, draws from it too); the same seed must
/// give the same batches on any machine. An instance is used by one thread at a time.
/// </remarks>
public interface IClientData
{
    /// <summary>Training samples: the client's aggregation weight (num_examples).</summary>
    int TrainCount { get; }

    /// <summary>Test samples (the client's own test split).</summary>
    int TestCount { get; }

    /// <summary>One epoch of shuffled training batches.</summary>
    IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed);

    /// <summary>The test split in a fixed order.</summary>
    IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize);
}
