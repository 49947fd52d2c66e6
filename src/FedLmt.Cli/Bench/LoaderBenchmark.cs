using System.Diagnostics;
using FedLmt.Data;
namespace FedLmt.Cli.Bench;

/// <summary>Timing of batch production by <see cref="LoaderBenchmark.Run"/>.</summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Batches">Batches timed per mode.</param>
/// <param name="PlainMillisecondsPerBatch">Mean time per batch without augmentation (shuffle, normalize, tensors).</param>
/// <param name="AugmentedMillisecondsPerBatch">Mean time per batch with <paramref name="Augmentation"/>.</param>
/// <param name="Augmentation">The augmentation timed.</param>
/// <param name="ManagedBytesPerBatch">Managed allocation per augmented batch (constant, independent of batch size: no per-sample allocation).</param>
public sealed record LoaderBenchmarkResult(
    string Dataset, int BatchSize, int Batches, double PlainMillisecondsPerBatch, double AugmentedMillisecondsPerBatch,
    Augmentation Augmentation, double ManagedBytesPerBatch);

/// <summary>Measures how fast <see cref="BatchLoader"/> produces batches (the target: far below a training step).</summary>
public static class LoaderBenchmark
{
    /// <summary>
    /// Times full epochs over <paramref name="dataset"/> (default: the embedded Fashion-MNIST train set, 1x28x28) at
    /// <paramref name="batchSize"/>, with no augmentation and with <paramref name="augmentation"/> (default crop pad 4 + flip),
    /// after one warm-up epoch each. Tensors are created and disposed as a trainer would.
    /// </summary>
    public static LoaderBenchmarkResult Run(ImageDataset? dataset = null, int batchSize = 64, int epochs = 5, Augmentation? augmentation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        dataset ??= FashionMnist.LoadEmbeddedSubset().TrainImages;
        augmentation ??= Augmentation.CifarStandard;
        var all = Enumerable.Range(0, dataset.Count).ToArray();
        var plain = new BatchLoader(dataset, all, batchSize);
        var augmented = new BatchLoader(dataset, all, batchSize, augmentation);

        var (plainMs, batches, _) = Time(plain, epochs);
        var (augmentedMs, _, bytes) = Time(augmented, epochs);
        return new LoaderBenchmarkResult(dataset.Name, batchSize, batches, plainMs, augmentedMs, augmentation, bytes);
    }

    private static (double MillisecondsPerBatch, int Batches, double BytesPerBatch) Time(BatchLoader loader, int epochs)
    {
        Consume(loader, seed: -1);
        var batches = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            batches += Consume(loader, epoch);
        }
        watch.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return (watch.Elapsed.TotalMilliseconds / batches, batches, (double)bytes / batches);
    }

    private static int Consume(BatchLoader loader, long seed)
    {
        var count = 0;
        foreach (var batch in loader.Epoch(seed))
        {
            using (batch)
            {
                count++;
            }
        }
        return count;
    }
}
