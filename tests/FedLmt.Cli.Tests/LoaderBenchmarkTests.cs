using FedLmt.Cli.Bench;
using FedLmt.Data;

namespace FedLmt.Cli.Tests;

public class LoaderBenchmarkTests
{
    [Fact]
    public void Allocates_no_managed_memory_per_sample()
    {
        var dataset = FashionMnist.LoadEmbeddedSubset().TrainImages;

        var small = LoaderBenchmark.Run(dataset, batchSize: 16, epochs: 1);
        var large = LoaderBenchmark.Run(dataset, batchSize: 256, epochs: 1);

        // What is allocated is per batch (tensor wrappers) and per epoch (the shuffled order): spread over 256
        // samples it is a few bytes each. Even one empty object per sample would cost 24 bytes, a float buffer 3 kB.
        Assert.True(large.ManagedBytesPerBatch / 256 < 16, $"{large.ManagedBytesPerBatch} B per batch of 256");
        Assert.True(small.PlainMillisecondsPerBatch > 0 && small.AugmentedMillisecondsPerBatch > 0);
    }
}
