namespace FedLmt.Data;

/// <summary>
/// IID: every class is shuffled and dealt in equal shares, so each client holds (nearly) the same number of every
/// class. When a class does not divide evenly, its extra samples go to the clients after those that took the
/// previous class's extras, so client sizes differ by at most one.
/// </summary>
public sealed class IidPartitioner : IPartitioner
{
    /// <inheritdoc />
    public int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        PartitionChecks.Common(labels, classCount, clients, random);
        var parts = Enumerable.Range(0, clients).Select(_ => new List<int>()).ToArray();
        var extraStart = 0;
        foreach (var ofClass in PartitionChecks.IndicesByClass(labels, classCount))
        {
            random.Shuffle(ofClass.AsSpan());
            var share = ofClass.Length / clients;
            var extras = ofClass.Length % clients;
            var position = 0;
            for (var k = 0; k < clients; k++)
            {
                var takesExtra = (k - extraStart + clients) % clients < extras;
                var take = share + (takesExtra ? 1 : 0);
                parts[k].AddRange(ofClass.AsSpan(position, take));
                position += take;
            }
            extraStart = (extraStart + extras) % clients;
        }
        return PartitionChecks.Sorted(parts);
    }
}
