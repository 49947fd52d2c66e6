using FedLmt.Federated;

namespace FedLmt.Data;

/// <summary>
/// A small, fully specified pseudo-random generator (xoshiro256** seeded through SplitMix64).
/// </summary>
/// <remarks>
/// Partitions and batch orders must be identical on every machine and every .NET version, and a resumed run must
/// replay exactly; <see cref="Random"/> does not promise its sequence across versions, this algorithm is fixed.
/// </remarks>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareGaussian;

    /// <summary>Starts the generator from a 64-bit seed.</summary>
    public SeededRandom(long seed)
    {
        // Seeded as the xoshiro authors recommend: four outputs of SplitMix64 from the seed (the engine's own generator).
        var seeder = new SplitMix64(seed);
        _s0 = seeder.NextUInt64();
        _s1 = seeder.NextUInt64();
        _s2 = seeder.NextUInt64();
        _s3 = seeder.NextUInt64();
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = BitRotate(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, exclusiveMax), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        // Lemire's multiply-shift with rejection of the biased low range.
        var bound = (ulong)exclusiveMax;
        var product = (UInt128)NextUInt64() * bound;
        var low = (ulong)product;
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * bound;
                low = (ulong)product;
            }
        }
        return (int)(product >> 64);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal variate (Marsaglia polar method).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is { } spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        return u * factor;
    }

    /// <summary>A Gamma(shape, 1) variate (Marsaglia and Tsang; shape below 1 by the boost U^(1/shape)).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Gamma shape must be a positive finite number.");
        }
        if (shape < 1)
        {
            var boost = Math.Pow(1 - NextDouble(), 1 / shape);
            return NextGamma(shape + 1) * boost;
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1 - NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>A draw from the symmetric Dirichlet(alpha, ..., alpha) over <paramref name="count"/> categories.</summary>
    public double[] NextDirichlet(double alpha, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var p = new double[count];
        double sum;
        do
        {
            sum = 0;
            for (var i = 0; i < count; i++)
            {
                p[i] = NextGamma(alpha);
                sum += p[i];
            }
        }
        // With a tiny alpha every gamma draw can underflow to zero; draw again rather than divide by zero.
        while (sum == 0);
        for (var i = 0; i < count; i++)
        {
            p[i] /= sum;
        }
        return p;
    }

    /// <summary>Shuffles in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));
}
