namespace FedLmt.Data.Tests;

public class ShardPartitionerTests
{
    private static readonly int[] EmbeddedLabels = FashionMnist.LoadEmbeddedSubset().Train.Labels;

    [Theory]
    [InlineData(20, 2)]
    [InlineData(100, 2)]
    [InlineData(10, 3)]
    [InlineData(5, 10)]
    public void Every_client_gets_exactly_k_classes_in_equal_shards(int clients, int k)
    {
        var parts = new ShardPartitioner(k).Split(EmbeddedLabels, 10, clients, new SeededRandom(5));
        var histograms = TestData.Histograms(parts, EmbeddedLabels, 10);
        // 12000 samples in clients x k shards of 1200 / (clients x k / 10) samples each.
        var shardSize = 1200 / (clients * k / 10);

        TestData.AssertDisjointCover(parts, EmbeddedLabels.Length);
        Assert.All(histograms, h => Assert.Equal(k, h.Count(n => n > 0)));
        Assert.All(histograms, h => Assert.All(h.Where(n => n > 0), n => Assert.Equal(shardSize, n)));
    }

    [Theory]
    [InlineData(10, 9)]
    [InlineData(20, 3)]
    [InlineData(15, 2)]
    public void Dealing_never_gets_stuck_whatever_the_seed(int clients, int k)
    {
        // Tight settings where a careless deal leaves the last clients with two shards of one class.
        var labels = TestData.BalancedLabels(10, 90);

        for (var seed = 0; seed < 100; seed++)
        {
            var parts = new ShardPartitioner(k).Split(labels, 10, clients, new SeededRandom(seed));

            Assert.All(TestData.Histograms(parts, labels, 10), h => Assert.Equal(k, h.Count(n => n > 0)));
        }
    }

    [Fact]
    public void Classes_that_do_not_divide_give_shards_one_apart_and_deal_every_sample()
    {
        // Class 0 has 7 samples, class 1 has 5; 2 clients x 2 shards = 2 shards per class: 4+3 and 3+2.
        int[] labels = [.. Enumerable.Repeat(0, 7), .. Enumerable.Repeat(1, 5)];

        var parts = new ShardPartitioner(2).Split(labels, 2, 2, new SeededRandom(1));
        var histograms = TestData.Histograms(parts, labels, 2);

        TestData.AssertDisjointCover(parts, labels.Length);
        Assert.Equal(new[] { 3, 4 }, histograms.Select(h => h[0]).Order());
        Assert.Equal(new[] { 2, 3 }, histograms.Select(h => h[1]).Order());
    }

    [Fact]
    public void Pairings_vary_with_the_seed()
    {
        string Pairs(long seed) => string.Join(";", TestData.Histograms(
            new ShardPartitioner(2).Split(EmbeddedLabels, 10, 20, new SeededRandom(seed)), EmbeddedLabels, 10)
            .Select(h => string.Join(",", Enumerable.Range(0, 10).Where(c => h[c] > 0))));

        Assert.Equal(Pairs(1), Pairs(1));
        Assert.NotEqual(Pairs(1), Pairs(2));
    }

    [Fact]
    public void Refuses_shard_counts_that_do_not_divide_over_the_classes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ShardPartitioner(2).Split(EmbeddedLabels, 10, 7, new SeededRandom(1)));

        Assert.Contains("7 x 2 = 14 shards", ex.Message);
        Assert.Contains("multiple of 10", ex.Message);
    }

    [Fact]
    public void Refuses_more_shards_per_client_than_classes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ShardPartitioner(11).Split(EmbeddedLabels, 10, 10, new SeededRandom(1)));

        Assert.Contains("shards per client = 11", ex.Message);
        Assert.Contains("only 10 classes", ex.Message);
    }

    [Fact]
    public void Refuses_a_class_smaller_than_its_shard_count()
    {
        // 2 classes, 4 clients x 2 shards = 4 shards per class, but class 1 has 3 samples.
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 3)];

        var ex = Assert.Throws<ArgumentException>(() => new ShardPartitioner(2).Split(labels, 2, 4, new SeededRandom(1)));

        Assert.Contains("class 1 has 3 samples, fewer than its 4 shards", ex.Message);
    }

    [Fact]
    public void Refuses_zero_shards()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardPartitioner(0));
    }
}
