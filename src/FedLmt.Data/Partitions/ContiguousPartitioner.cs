namespace FedLmt.Data;

/// <summary>
/// Contiguous: the samples in dataset order cut into as many consecutive pieces as clients, client k holding
/// [floor(k n / N), floor((k + 1) n / N)). For a token stream this is the authors' split (the stream as N rows, one per
/// client). Labels and randomness play no part.
/// </summary>
public sealed class ContiguousPartitioner : IPartitioner
{
    /// <inheritdoc />
    public int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        PartitionChecks.Common(labels, classCount, clients, random);
        long n = labels.Count;
        return [.. Enumerable.Range(0, clients).Select(k =>
        {
            int start = (int)(k * n / clients), end = (int)((k + 1) * n / clients);
            return Enumerable.Range(start, end - start).ToArray();
        })];
    }
}

/// <summary>
/// By source: client k holds every sample of label k - for a text corpus, every window of one source (a president, a
/// chapter), a natural non-IID split like LEAF's Shakespeare by role. Needs exactly as many clients as labels.
/// </summary>
public sealed class BySourcePartitioner : IPartitioner
{
    /// <inheritdoc />
    public int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        PartitionChecks.Common(labels, classCount, clients, random);
        if (clients != classCount)
            throw new ArgumentException(
                $"partition scheme by_source gives each of the {classCount} sources its own client, but there are {clients} clients; set federated.num_clients = {classCount}.");
        return PartitionChecks.IndicesByClass(labels, classCount);
    }
}
