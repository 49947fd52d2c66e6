using FedLmt.Federated;

namespace FedLmt.Core.Tests.Federated;

public class ClientSamplerTests
{
    static readonly IReadOnlyList<int> Hundred = Enumerable.Range(0, 100).ToList();

    [Fact]
    public void The_same_seed_and_round_draw_the_same_clients_whatever_was_drawn_before()
    {
        var first = new ClientSampler(0.1, seed: 42);
        var fresh = new ClientSampler(0.1, seed: 42);
        for (int r = 0; r < 5; r++) first.Sample(r, Hundred);
        Assert.Equal(first.Sample(7, Hundred), fresh.Sample(7, Hundred));
    }

    [Fact]
    public void Different_rounds_or_seeds_draw_different_clients()
    {
        var sampler = new ClientSampler(0.1, seed: 42);
        Assert.NotEqual(sampler.Sample(0, Hundred), sampler.Sample(1, Hundred));
        Assert.NotEqual(sampler.Sample(0, Hundred), new ClientSampler(0.1, seed: 43).Sample(0, Hundred));
    }

    [Theory]
    [InlineData(0.1, 100, 10)]
    [InlineData(0.3, 10, 3)]
    [InlineData(0.25, 10, 2)]  // 2.5 rounds half to even
    [InlineData(0.35, 10, 4)]  // 3.5 -> 4
    [InlineData(0.01, 10, 1)]  // 0.1 rounds to 0, but at least one client
    [InlineData(1.0, 7, 7)]
    public void A_round_takes_round_of_fraction_times_pool_distinct_clients_at_least_one(double fraction, int pool, int expected)
    {
        var ids = Enumerable.Range(100, pool).ToList();
        var sample = new ClientSampler(fraction, seed: 1).Sample(3, ids);
        Assert.Equal(expected, sample.Count);
        Assert.Equal(sample.Count, sample.Distinct().Count());
        Assert.All(sample, id => Assert.Contains(id, ids));
        Assert.Equal(sample.Order(), sample);
    }

    [Fact]
    public void The_draw_does_not_depend_on_the_order_the_pool_is_listed_in()
    {
        var sampler = new ClientSampler(0.2, seed: 5);
        Assert.Equal(sampler.Sample(2, Hundred), sampler.Sample(2, Hundred.Reverse().ToList()));
    }

    [Fact]
    public void Over_many_rounds_every_client_is_drawn_about_equally_often()
    {
        var sampler = new ClientSampler(0.1, seed: 9);
        var counts = new int[100];
        for (int r = 0; r < 2000; r++) foreach (int c in sampler.Sample(r, Hundred)) counts[c]++;
        // Expected 200 per client; binomial sd about 13.4, so 5 sd is 67.
        Assert.All(counts, n => Assert.InRange(n, 133, 267));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_zero_to_one_is_refused_naming_the_key(double fraction) =>
        Assert.Contains("federated.fraction", Assert.Throws<ArgumentException>(() => new ClientSampler(fraction, 1)).Message);
}
