namespace FedLmt.Data;

/// <summary>Which train and test samples each client holds, and the settings that produced it.</summary>
public sealed class FederatedPartition
{
    /// <summary>Wraps per-client index arrays (one train and one test array per client).</summary>
    public FederatedPartition(PartitionSettings settings, IReadOnlyList<int[]> train, IReadOnlyList<int[]> test)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (train.Count != settings.Clients || test.Count != settings.Clients)
        {
            throw new ArgumentException(
                $"Partition has {train.Count} train and {test.Count} test index arrays; expected one per client ({settings.Clients}).");
        }
        Settings = settings;
        Train = train;
        Test = test;
    }

    /// <summary>The settings used.</summary>
    public PartitionSettings Settings { get; }

    /// <summary>Number of clients.</summary>
    public int ClientCount => Train.Count;

    /// <summary>Per client, indices into the train set (ascending).</summary>
    public IReadOnlyList<int[]> Train { get; }

    /// <summary>Per client, indices into the test set (ascending), with the client's train class proportions.</summary>
    public IReadOnlyList<int[]> Test { get; }

    /// <summary>
    /// The same partition with each client's test samples grouped by class (classes ascending, dataset order within a
    /// class), as the reference stores them: read unshuffled, a test batch then holds one or two classes, which matters
    /// while BatchNorm uses batch statistics at test time (METHOD.md section 6).
    /// </summary>
    public FederatedPartition WithTestGroupedByClass(IReadOnlyList<int> testLabels) =>
        new(Settings, Train, Test.Select(indices => indices.OrderBy(i => testLabels[i]).ThenBy(i => i).ToArray()).ToList());
}
