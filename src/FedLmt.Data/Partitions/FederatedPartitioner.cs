using FedLmt.Federated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Data;

/// <summary>Partitions a dataset's train set over clients and gives each client a test split following its train proportions.</summary>
public static class FederatedPartitioner
{
    /// <summary>
    /// Splits <paramref name="data"/> as <paramref name="settings"/> say; the same data and settings (seed included)
    /// always give the same partition.
    /// </summary>
    public static FederatedPartition Partition(DatasetSplit data, PartitionSettings settings, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        logger ??= NullLogger.Instance;
        // Separate streams for train and test, so the test split never changes how the train split is drawn.
        var trainRandom = new SeededRandom(SplitMix64.Derive(settings.Seed, 0));
        var testRandom = new SeededRandom(SplitMix64.Derive(settings.Seed, 1));
        var train = settings.CreatePartitioner().Split(data.Train.Labels, data.ClassCount, settings.Clients, trainRandom);
        var test = ProportionalTestSplit.Allocate(data.Train.Labels, train, data.Test.Labels, data.ClassCount, testRandom);
        logger.LogInformation(
            "Partitioned {Dataset} ({Settings}): train sizes {MinTrain}..{MaxTrain}, test sizes {MinTest}..{MaxTest}",
            data.Train.Name, settings, train.Min(p => p.Length), train.Max(p => p.Length), test.Min(p => p.Length), test.Max(p => p.Length));
        return new FederatedPartition(settings, train, test);
    }
}
