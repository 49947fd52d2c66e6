using FedLmt.Federated;

namespace FedLmt.Core.Tests.Federated;

/// <summary>The one seed derivation of the code base (partitions, batch orders, sampling, tiers, model init all derive through it).</summary>
public class SplitMix64Tests
{
    // Values the data layer's former copy of this derivation gave (recorded when the two were merged): every partition
    // and batch order made before the merge derives the same seeds now.
    [Theory]
    [InlineData(1L, new long[] { 2, 3 }, -4093400243447542743L)]
    [InlineData(0L, new long[] { }, -2152535657050944081L)]
    [InlineData(-7L, new long[] { 1, 0, 5, long.MaxValue }, 1595137522122338067L)]
    public void Derived_seeds_are_the_ones_runs_have_always_used(long seed, long[] path, long expected)
    {
        Assert.Equal(expected, SplitMix64.Derive(seed, path));
    }

    [Fact]
    public void Derived_seeds_differ_by_path_and_repeat_for_the_same_path()
    {
        long a = SplitMix64.Derive(1, 2, 3), b = SplitMix64.Derive(1, 3, 2), c = SplitMix64.Derive(2, 2, 3);
        Assert.Equal(a, SplitMix64.Derive(1, 2, 3));
        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
    }

    [Fact]
    public void The_generator_is_the_reference_splitmix64()
    {
        // splitmix64.c (Vigna) from state 0: the first outputs.
        var g = new SplitMix64(0);
        Assert.Equal(0xe220a8397b1dcdafUL, g.NextUInt64());
        Assert.Equal(0x6e789e6aa1b965f4UL, g.NextUInt64());
        Assert.Equal(0x06c45d188009454fUL, g.NextUInt64());
    }
}
