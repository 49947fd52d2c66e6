using System.Globalization;

namespace FedLmt.Data;

/// <summary>
/// Dirichlet non-IID, as in the reference (NIID-Bench's label-Dirichlet split): for every class, shares over clients are
/// drawn from Dir(alpha); clients already holding at least N / clients samples get share 0 (balancing), the rest are
/// renormalized; the class's shuffled samples are cut at the cumulative shares. The whole draw is repeated until
/// every client has at least <see cref="MinSamplesPerClient"/> samples.
/// </summary>
public sealed class DirichletPartitioner : IPartitioner
{
    /// <summary>Redraws allowed before giving up.</summary>
    public const int MaxAttempts = 1000;

    /// <summary>Creates the partitioner (reference: alpha 0.5, at least 10 samples per client).</summary>
    public DirichletPartitioner(double alpha = 0.5, int minSamplesPerClient = 10)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(
                nameof(alpha), alpha,
                $"alpha = {alpha.ToString(CultureInfo.InvariantCulture)}; the Dirichlet concentration must be a finite number > 0.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(minSamplesPerClient);
        Alpha = alpha;
        MinSamplesPerClient = minSamplesPerClient;
    }

    /// <summary>Concentration: small values give few dominant classes per client.</summary>
    public double Alpha { get; }

    /// <summary>Every client ends with at least this many samples.</summary>
    public int MinSamplesPerClient { get; }

    /// <summary>
    /// The reference's balancing rule: clients already holding at least <paramref name="fairShare"/> samples get share 0.
    /// Returns the sum of the remaining shares (the caller divides by it). Should every remaining share have underflowed
    /// to 0 (tiny alpha), the clients still below their fair share get equal shares instead.
    /// </summary>
    internal static double Balance(double[] shares, IReadOnlyList<List<int>> parts, double fairShare)
    {
        double sum = 0;
        for (var j = 0; j < shares.Length; j++)
        {
            if (parts[j].Count >= fairShare)
            {
                shares[j] = 0;
            }
            sum += shares[j];
        }
        if (sum == 0)
        {
            for (var j = 0; j < shares.Length; j++)
            {
                shares[j] = parts[j].Count < fairShare ? 1 : 0;
                sum += shares[j];
            }
        }
        return sum;
    }

    /// <inheritdoc />
    public int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        PartitionChecks.Common(labels, classCount, clients, random);
        var n = labels.Count;
        if ((long)clients * MinSamplesPerClient > n)
        {
            throw new ArgumentException(
                $"clients = {clients} with at least {MinSamplesPerClient} samples each needs {(long)clients * MinSamplesPerClient} samples; " +
                $"the training set has {n}.");
        }
        var byClass = PartitionChecks.IndicesByClass(labels, classCount);
        var fairShare = (double)n / clients;
        var parts = Enumerable.Range(0, clients).Select(_ => new List<int>()).ToArray();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            foreach (var part in parts)
            {
                part.Clear();
            }
            foreach (var ofClass in byClass)
            {
                var samples = (int[])ofClass.Clone();
                random.Shuffle(samples.AsSpan());
                var p = random.NextDirichlet(Alpha, clients);
                var sum = Balance(p, parts, fairShare);
                double cumulative = 0;
                var start = 0;
                for (var j = 0; j < clients; j++)
                {
                    cumulative += p[j] / sum;
                    // Cut points truncate cumsum x count, as the reference's astype(int); the last client takes the rest.
                    var end = j == clients - 1 ? samples.Length : Math.Clamp((int)(cumulative * samples.Length), start, samples.Length);
                    parts[j].AddRange(samples.AsSpan(start, end - start));
                    start = end;
                }
            }
            if (parts.Min(p => p.Count) >= MinSamplesPerClient)
            {
                return PartitionChecks.Sorted(parts);
            }
        }
        throw new InvalidOperationException(
            $"Dirichlet partition (alpha = {Alpha.ToString(CultureInfo.InvariantCulture)}, {clients} clients, {n} samples) left some client " +
            $"below {MinSamplesPerClient} samples in all {MaxAttempts} draws; use fewer clients or a larger alpha.");
    }
}
