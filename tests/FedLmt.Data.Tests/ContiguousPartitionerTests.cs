namespace FedLmt.Data.Tests;

public class ContiguousPartitionerTests
{
    [Fact]
    public void Cuts_the_samples_into_consecutive_pieces_in_dataset_order()
    {
        // 10 samples over 3 clients: floor(k 10 / 3) = 0, 3, 6, 10.
        var parts = new ContiguousPartitioner().Split(new int[10], 1, 3, new SeededRandom(1));
        Assert.Equal([0, 1, 2], parts[0]);
        Assert.Equal([3, 4, 5], parts[1]);
        Assert.Equal([6, 7, 8, 9], parts[2]);
    }

    [Fact]
    public void By_source_gives_each_label_its_own_client()
    {
        int[] labels = [1, 0, 1, 2, 0, 2, 2];
        var parts = new BySourcePartitioner().Split(labels, 3, 3, new SeededRandom(1));
        Assert.Equal([1, 4], parts[0]);
        Assert.Equal([0, 2], parts[1]);
        Assert.Equal([3, 5, 6], parts[2]);
    }

    [Fact]
    public void By_source_refuses_a_client_count_other_than_the_sources()
    {
        var e = Assert.Throws<ArgumentException>(() => new BySourcePartitioner().Split([0, 1, 2, 0], 3, 2, new SeededRandom(1)));
        Assert.Contains("federated.num_clients = 3", e.Message);
    }

    [Fact]
    public void The_scheme_names_parse()
    {
        Assert.Equal(PartitionScheme.Contiguous, PartitionSettings.ParseScheme("contiguous"));
        Assert.Equal(PartitionScheme.BySource, PartitionSettings.ParseScheme("by_source"));
        Assert.Contains("by_source", Assert.Throws<ArgumentException>(() => PartitionSettings.ParseScheme("shakespeare")).Message);
    }
}
