namespace FedLmt.Federated;

/// <summary>
/// A small, fully specified generator (SplitMix64) for everything the federated loop draws - client sampling, tier
/// assignment, derived seeds - so a run replays identically on any machine and .NET version, and a resumed run
/// draws what an uninterrupted one would.
/// </summary>
public struct SplitMix64(long seed)
{
    ulong _state = unchecked((ulong)seed);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = unchecked(_state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, exclusiveMax), without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong bound = (ulong)exclusiveMax;
        UInt128 product = (UInt128)NextUInt64() * bound;
        if ((ulong)product < bound)
        {
            ulong threshold = unchecked(0UL - bound) % bound;
            while ((ulong)product < threshold) product = (UInt128)NextUInt64() * bound;
        }
        return (int)(product >> 64);
    }

    /// <summary>
    /// A seed derived from a run seed and a path such as (stream, round, client, epoch): a pure function of its
    /// arguments, and distinct paths give unrelated seeds.
    /// </summary>
    public static long Derive(long seed, params ReadOnlySpan<long> path)
    {
        var g = new SplitMix64(seed);
        ulong h = g.NextUInt64();
        foreach (long part in path)
        {
            g = new SplitMix64(unchecked((long)(h ^ ((ulong)part * 0xD1B54A32D192ED03UL))));
            h = g.NextUInt64();
        }
        return unchecked((long)h);
    }
}

/// <summary>Stream tags that keep the seeds derived for different purposes apart.</summary>
public static class SeedStreams
{
    public const long Shuffle = 1;
    public const long Sampling = 2;
    public const long Tiers = 3;
    public const long ModelInit = 4;
    public const long Dropout = 5;
}
