namespace FedLmt.Data;

/// <summary>
/// Gives each client a test split with the class proportions of its train split: for every class, the test samples
/// of that class are divided among clients in proportion to each client's share of that class's training samples.
/// </summary>
public static class ProportionalTestSplit
{
    /// <summary>
    /// Per client, test indices (ascending). Counts are the exact shares rounded by largest remainder (ties to the lower
    /// client index), so they sum to the class's test count; which samples each client gets is shuffled by
    /// <paramref name="random"/>. Test samples of a class no client trains on are left out (they stay in the global test set).
    /// </summary>
    public static int[][] Allocate(
        IReadOnlyList<int> trainLabels, IReadOnlyList<int[]> trainParts, IReadOnlyList<int> testLabels, int classCount, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(trainParts);
        ArgumentNullException.ThrowIfNull(testLabels);
        ArgumentNullException.ThrowIfNull(random);
        var clients = trainParts.Count;
        var trainCounts = new long[classCount, clients];
        for (var k = 0; k < clients; k++)
        {
            foreach (var i in trainParts[k])
            {
                trainCounts[trainLabels[i], k]++;
            }
        }
        var testByClass = PartitionChecks.IndicesByClass(testLabels, classCount);
        var parts = Enumerable.Range(0, clients).Select(_ => new List<int>()).ToArray();
        for (var c = 0; c < classCount; c++)
        {
            var samples = testByClass[c];
            random.Shuffle(samples.AsSpan());
            var weights = new long[clients];
            for (var k = 0; k < clients; k++)
            {
                weights[k] = trainCounts[c, k];
            }
            var counts = LargestRemainder(samples.Length, weights);
            var start = 0;
            for (var k = 0; k < clients; k++)
            {
                parts[k].AddRange(samples.AsSpan(start, counts[k]));
                start += counts[k];
            }
        }
        return PartitionChecks.Sorted(parts);
    }

    /// <summary>
    /// Splits <paramref name="total"/> into integers proportional to <paramref name="weights"/> that sum to it exactly
    /// (all zero if every weight is zero): floors of the exact shares, plus one for the largest remainders.
    /// </summary>
    public static int[] LargestRemainder(int total, IReadOnlyList<long> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var counts = new int[weights.Count];
        var weightSum = weights.Sum();
        if (weightSum == 0 || total == 0)
        {
            return counts;
        }
        // Exact integer arithmetic: share_k = total * w_k / W, remainder compared as total * w_k mod W.
        var remainders = new long[weights.Count];
        var assigned = 0;
        for (var k = 0; k < weights.Count; k++)
        {
            var scaled = (Int128)total * weights[k];
            counts[k] = (int)(scaled / weightSum);
            remainders[k] = (long)(scaled % weightSum);
            assigned += counts[k];
        }
        var order = Enumerable.Range(0, weights.Count).OrderByDescending(k => remainders[k]).ThenBy(k => k).ToArray();
        for (var r = 0; r < total - assigned; r++)
        {
            counts[order[r]]++;
        }
        return counts;
    }
}
