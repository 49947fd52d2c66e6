namespace FedLmt.Data.Tests;

public class FederatedPartitionerTests
{
    private static readonly DatasetSplit Data = FashionMnist.LoadEmbeddedSubset();

    [Theory]
    [InlineData(PartitionScheme.Iid)]
    [InlineData(PartitionScheme.Shards)]
    [InlineData(PartitionScheme.Dirichlet)]
    public void Same_seed_same_partition_other_seed_other_partition(PartitionScheme scheme)
    {
        var a = FederatedPartitioner.Partition(Data, new PartitionSettings(scheme, 20, seed: 1));
        var b = FederatedPartitioner.Partition(Data, new PartitionSettings(scheme, 20, seed: 1));
        var c = FederatedPartitioner.Partition(Data, new PartitionSettings(scheme, 20, seed: 2));

        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Train, c.Train);
    }

    [Theory]
    [InlineData(PartitionScheme.Iid)]
    [InlineData(PartitionScheme.Shards)]
    [InlineData(PartitionScheme.Dirichlet)]
    public void Train_and_test_splits_are_disjoint_and_cover_both_sets(PartitionScheme scheme)
    {
        var partition = FederatedPartitioner.Partition(Data, new PartitionSettings(scheme, 10, seed: 3));

        Assert.Equal(10, partition.ClientCount);
        TestData.AssertDisjointCover(partition.Train, Data.Train.Count);
        TestData.AssertDisjointCover(partition.Test, Data.Test.Count);
    }

    [Fact]
    public void Iid_test_splits_hold_10_of_each_class_per_client()
    {
        var partition = FederatedPartitioner.Partition(Data, new PartitionSettings(PartitionScheme.Iid, 20, seed: 1));

        var histograms = TestData.Histograms(partition.Test, Data.Test.Labels, 10);

        Assert.All(histograms, h => Assert.All(h, n => Assert.Equal(10, n)));
    }

    [Fact]
    public void Shard_test_splits_hold_only_the_client_training_classes()
    {
        var partition = FederatedPartitioner.Partition(Data, new PartitionSettings(PartitionScheme.Shards, 20, seed: 1));

        var train = TestData.Histograms(partition.Train, Data.Train.Labels, 10);
        var test = TestData.Histograms(partition.Test, Data.Test.Labels, 10);

        // 300 of a class in train (a quarter of 1200) means 50 of it in test (a quarter of 200).
        for (var k = 0; k < 20; k++)
        {
            Assert.Equal(train[k].Select(n => n / 6), test[k]);
        }
    }
}
