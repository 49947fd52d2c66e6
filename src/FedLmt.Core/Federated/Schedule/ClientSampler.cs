namespace FedLmt.Federated;

/// <summary>
/// Uniform sampling without replacement of a fraction of the eligible clients each round, seeded by (run seed, round)
/// alone: the same round draws the same clients whatever happened before, so a resumed run samples as the original.
/// </summary>
public sealed class ClientSampler
{
    readonly double _fraction;
    readonly long _seed;

    public ClientSampler(double fraction, long seed)
    {
        Check.Require(fraction > 0 && fraction <= 1, "federated.fraction", fraction, "a number in (0, 1]");
        _fraction = fraction;
        _seed = seed;
    }

    /// <summary>How many of <paramref name="poolSize"/> clients a round takes: round(fraction x pool), half to even, at least 1.</summary>
    public int CountFor(int poolSize) =>
        poolSize == 0 ? 0 : Math.Clamp((int)Math.Round(_fraction * poolSize, MidpointRounding.ToEven), 1, poolSize);

    /// <summary>The clients of round <paramref name="round"/> drawn from <paramref name="pool"/>, in ascending id order.</summary>
    public IReadOnlyList<int> Sample(int round, IReadOnlyList<int> pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        var ids = pool.Order().ToArray(); // the draw must not depend on the order the pool was listed in
        if (ids.Distinct().Count() != ids.Length) throw new ArgumentException("the client pool lists a client twice");
        int count = CountFor(ids.Length);
        var rng = new SplitMix64(SplitMix64.Derive(_seed, SeedStreams.Sampling, round));
        for (int i = 0; i < count; i++) // partial Fisher-Yates: the first count slots are the sample
        {
            int j = i + rng.NextInt(ids.Length - i);
            (ids[i], ids[j]) = (ids[j], ids[i]);
        }
        return ids.Take(count).Order().ToList();
    }
}
