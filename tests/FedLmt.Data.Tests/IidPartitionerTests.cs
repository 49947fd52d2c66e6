namespace FedLmt.Data.Tests;

public class IidPartitionerTests
{
    private static readonly int[] EmbeddedLabels = FashionMnist.LoadEmbeddedSubset().Train.Labels;

    [Fact]
    public void Twenty_clients_get_exactly_60_of_each_class_of_the_embedded_subset()
    {
        var parts = new IidPartitioner().Split(EmbeddedLabels, 10, 20, new SeededRandom(1));

        var histograms = TestData.Histograms(parts, EmbeddedLabels, 10);

        Assert.All(histograms, h => Assert.All(h, n => Assert.Equal(60, n)));
        TestData.AssertDisjointCover(parts, EmbeddedLabels.Length);
    }

    [Fact]
    public void Uneven_classes_leave_client_sizes_at_most_one_apart()
    {
        // 3 classes of 10, 11 and 13 samples over 4 clients: 34 samples, so sizes 8 or 9.
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 11), .. Enumerable.Repeat(2, 13)];

        var parts = new IidPartitioner().Split(labels, 3, 4, new SeededRandom(2));
        var histograms = TestData.Histograms(parts, labels, 3);

        TestData.AssertDisjointCover(parts, labels.Length);
        Assert.All(parts, p => Assert.InRange(p.Length, 8, 9));
        // Each class is split into shares that differ by at most one: 10 -> 2 or 3, 11 -> 2 or 3, 13 -> 3 or 4.
        Assert.All(histograms, h => Assert.InRange(h[0], 2, 3));
        Assert.All(histograms, h => Assert.InRange(h[2], 3, 4));
    }

    [Fact]
    public void Indices_come_back_sorted()
    {
        var parts = new IidPartitioner().Split(EmbeddedLabels, 10, 7, new SeededRandom(3));

        Assert.All(parts, p => Assert.Equal(p.Order(), p));
    }

    [Fact]
    public void Refuses_more_clients_than_samples()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IidPartitioner().Split([0, 1, 0], 2, 4, new SeededRandom(1)));

        Assert.Contains("clients = 4", ex.Message);
        Assert.Contains("only 3 samples", ex.Message);
    }
}
