namespace FedLmt.Data.Tests;

public class DirichletPartitionerTests
{
    private static readonly int[] EmbeddedLabels = FashionMnist.LoadEmbeddedSubset().Train.Labels;

    private static int[][] Split(double alpha, int clients, long seed) =>
        new DirichletPartitioner(alpha).Split(EmbeddedLabels, 10, clients, new SeededRandom(seed));

    [Theory]
    [InlineData(0.5, 20)]
    [InlineData(0.1, 50)]
    [InlineData(1.0, 100)]
    public void Every_client_gets_at_least_ten_samples_and_every_sample_one_client(double alpha, int clients)
    {
        var parts = Split(alpha, clients, 1);

        TestData.AssertDisjointCover(parts, EmbeddedLabels.Length);
        Assert.All(parts, p => Assert.True(p.Length >= 10, $"a client has {p.Length} samples"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_partition_and_another_seed_a_different_one()
    {
        var a = Split(0.5, 20, 7);
        var b = Split(0.5, 20, 7);
        var c = Split(0.5, 20, 8);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Balancing_zeroes_the_share_of_clients_at_or_above_their_fair_share()
    {
        double[] shares = [0.5, 0.3, 0.2];
        List<int>[] parts = [[.. Enumerable.Range(0, 10)], [.. Enumerable.Range(0, 3)], []];

        var sum = DirichletPartitioner.Balance(shares, parts, fairShare: 5);

        Assert.Equal(new[] { 0, 0.3, 0.2 }, shares);
        Assert.Equal(0.5, sum, 12);
    }

    [Fact]
    public void Balancing_falls_back_to_equal_shares_when_every_open_share_underflowed()
    {
        double[] shares = [1.0, 0.0, 0.0];
        List<int>[] parts = [[.. Enumerable.Range(0, 10)], [], [1]];

        var sum = DirichletPartitioner.Balance(shares, parts, fairShare: 5);

        Assert.Equal(new[] { 0.0, 1, 1 }, shares);
        Assert.Equal(2, sum);
    }

    [Fact]
    public void Balancing_stops_a_client_growing_once_it_has_its_fair_share()
    {
        // 10 classes of 100 over 20 clients: a client receives a class only while below N / clients = 50, so it
        // ends below 50 + 100. Without balancing, alpha 0.1 hands some client most of two classes.
        var labels = TestData.BalancedLabels(10, 100);

        for (var seed = 0; seed < 10; seed++)
        {
            var parts = new DirichletPartitioner(0.1, minSamplesPerClient: 0).Split(labels, 10, 20, new SeededRandom(seed));

            Assert.All(parts, p => Assert.True(p.Length < 150, $"seed {seed}: a client has {p.Length} samples"));
        }
    }

    [Fact]
    public void Smaller_alpha_concentrates_each_client_on_fewer_classes()
    {
        double MeanClasses(double alpha) =>
            TestData.Histograms(Split(alpha, 20, 4), EmbeddedLabels, 10).Average(h => h.Count(n => n > 0));

        var skewed = MeanClasses(0.1);
        var spread = MeanClasses(100);

        Assert.True(skewed < 6, $"alpha 0.1: {skewed} classes per client");
        Assert.Equal(10, spread);
    }

    [Fact]
    public void Large_alpha_comes_close_to_equal_class_shares()
    {
        var histograms = TestData.Histograms(Split(1000, 10, 5), EmbeddedLabels, 10);

        // Equal shares would be 120 per class per client.
        Assert.All(histograms, h => Assert.All(h, n => Assert.InRange(n, 90, 150)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Refuses_alpha_that_is_not_a_positive_number(double alpha)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DirichletPartitioner(alpha));

        Assert.Contains("alpha", ex.Message);
        Assert.Contains("> 0", ex.Message);
    }

    [Fact]
    public void Refuses_more_clients_than_the_minimum_size_allows()
    {
        // 12000 samples cannot give 1201 clients 10 each.
        var ex = Assert.Throws<ArgumentException>(() => Split(0.5, 1201, 1));

        Assert.Contains("clients = 1201", ex.Message);
        Assert.Contains("needs 12010 samples", ex.Message);
        Assert.Contains("has 12000", ex.Message);
    }

    [Fact]
    public void Refuses_more_clients_than_samples()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new DirichletPartitioner(0.5, 0).Split([0, 1, 0, 1], 2, 5, new SeededRandom(1)));

        Assert.Contains("clients = 5", ex.Message);
        Assert.Contains("only 4 samples", ex.Message);
    }
}
