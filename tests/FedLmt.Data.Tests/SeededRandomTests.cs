namespace FedLmt.Data.Tests;

public class SeededRandomTests
{
    // Expected values from an independent Python transcription of the reference splitmix64 and xoshiro256** C code.
    [Theory]
    [InlineData(0L, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL)]
    [InlineData(42L, 0x15780b2e0c2ec716UL, 0x6104d9866d113a7eUL, 0xae17533239e499a1UL)]
    [InlineData(-1L, 0x8f5520d52a7ead08UL, 0xc476a018caa1802dUL, 0x81de31c0d260469eUL)]
    public void Output_matches_the_xoshiro256starstar_reference(long seed, ulong first, ulong second, ulong third)
    {
        var random = new SeededRandom(seed);

        Assert.Equal([first, second, third], new[] { random.NextUInt64(), random.NextUInt64(), random.NextUInt64() });
    }

    [Fact]
    public void Same_seed_gives_the_same_sequence_and_another_seed_a_different_one()
    {
        var a = new SeededRandom(7);
        var b = new SeededRandom(7);
        var c = new SeededRandom(8);

        var sa = Enumerable.Range(0, 20).Select(_ => a.NextInt(1000)).ToArray();
        var sb = Enumerable.Range(0, 20).Select(_ => b.NextInt(1000)).ToArray();
        var sc = Enumerable.Range(0, 20).Select(_ => c.NextInt(1000)).ToArray();

        Assert.Equal(sa, sb);
        Assert.NotEqual(sa, sc);
    }

    [Fact]
    public void NextInt_stays_in_range_and_hits_every_value_about_equally()
    {
        var random = new SeededRandom(3);
        var counts = new int[10];

        for (var i = 0; i < 100_000; i++)
        {
            counts[random.NextInt(10)]++;
        }

        // 10,000 expected per value; the binomial standard deviation is 95, so 500 is over 5 sigma.
        Assert.All(counts, n => Assert.InRange(n, 9_500, 10_500));
    }

    [Fact]
    public void NextDouble_lies_in_the_unit_interval_with_mean_one_half()
    {
        var random = new SeededRandom(5);

        var draws = Enumerable.Range(0, 100_000).Select(_ => random.NextDouble()).ToArray();

        Assert.All(draws, d => Assert.InRange(d, 0.0, 0.9999999999999999));
        // Standard error of the mean: sqrt(1/12 / 1e5) = 0.0009.
        Assert.InRange(draws.Average(), 0.495, 0.505);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void Gamma_draws_have_mean_and_variance_equal_to_the_shape(double shape)
    {
        var random = new SeededRandom(11);

        var draws = Enumerable.Range(0, 200_000).Select(_ => random.NextGamma(shape)).ToArray();
        var mean = draws.Average();
        var variance = draws.Select(d => (d - mean) * (d - mean)).Average();

        Assert.All(draws, d => Assert.True(d >= 0));
        Assert.InRange(mean, shape * 0.97, shape * 1.03);
        Assert.InRange(variance, shape * 0.9, shape * 1.1);
    }

    [Fact]
    public void Dirichlet_draws_sum_to_one_with_mean_one_over_k()
    {
        var random = new SeededRandom(13);
        var sums = new double[4];

        for (var i = 0; i < 20_000; i++)
        {
            var p = random.NextDirichlet(0.5, 4);
            Assert.Equal(1.0, p.Sum(), 12);
            for (var j = 0; j < 4; j++)
            {
                sums[j] += p[j];
            }
        }

        Assert.All(sums, s => Assert.InRange(s / 20_000, 0.24, 0.26));
    }

    [Fact]
    public void Shuffle_returns_a_permutation()
    {
        var random = new SeededRandom(1);
        var items = Enumerable.Range(0, 50).ToArray();

        random.Shuffle(items.AsSpan());

        Assert.Equal(Enumerable.Range(0, 50), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), items);
    }
}
