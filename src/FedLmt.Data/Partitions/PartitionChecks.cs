namespace FedLmt.Data;

/// <summary>Argument checks and small steps shared by the partitioners.</summary>
internal static class PartitionChecks
{
    public static void Common(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (clients < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(clients), clients, $"clients = {clients}; expected at least 1.");
        }
        if (clients > labels.Count)
        {
            throw new ArgumentException(
                $"clients = {clients} but the training set has only {labels.Count} samples; expected at most one client per sample.");
        }
        for (var i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} at index {i} is out of range; expected 0..{classCount - 1}.");
            }
        }
    }

    /// <summary>Per class, its sample indices in ascending order.</summary>
    public static int[][] IndicesByClass(IReadOnlyList<int> labels, int classCount)
    {
        var lists = Enumerable.Range(0, classCount).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Count; i++)
        {
            lists[labels[i]].Add(i);
        }
        return [.. lists.Select(l => l.ToArray())];
    }

    public static int[][] Sorted(IEnumerable<List<int>> parts) =>
        [.. parts.Select(p =>
        {
            var a = p.ToArray();
            Array.Sort(a);
            return a;
        })];
}
