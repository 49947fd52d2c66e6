using System.Text.Json;

namespace FedLmt.Data.Tests;

public class PartitionStatisticsTests
{
    // Train labels 0,1,0,1,1,2 and test labels 2,0,1 over two clients; histograms worked out by hand below.
    private static readonly DatasetSplit Data = new(
        TestData.Dataset([0, 1, 0, 1, 1, 2], 3, name: "hand/train"),
        TestData.Dataset([2, 0, 1], 3, name: "hand/test"),
        Augmentation.None);

    private static readonly FederatedPartition Partition = new(
        new PartitionSettings(PartitionScheme.Dirichlet, 2, 5, alpha: 0.3),
        [[0, 1, 2], [3, 4, 5]],
        [[1], [0, 2]]);

    [Fact]
    public void Counts_classes_per_client_in_train_and_test()
    {
        var stats = PartitionStatistics.Compute(Data, Partition);

        // Client 0 train: labels 0,1,0 -> [2,1,0]; client 1 train: 1,1,2 -> [0,2,1].
        Assert.Equal(new[] { 2, 1, 0 }, stats.TrainHistogram[0]);
        Assert.Equal(new[] { 0, 2, 1 }, stats.TrainHistogram[1]);
        // Client 0 test: label 0; client 1 test: labels 2, 1.
        Assert.Equal(new[] { 1, 0, 0 }, stats.TestHistogram[0]);
        Assert.Equal(new[] { 0, 1, 1 }, stats.TestHistogram[1]);
        Assert.Equal((3, 1, 2), (stats.TrainCount(0), stats.TestCount(0), stats.ClassesHeld(0)));
        Assert.Equal(new double[,] { { 2, 1, 0 }, { 0, 2, 1 } }, stats.TrainMatrix());
    }

    [Fact]
    public void Json_holds_settings_summary_and_per_client_histograms()
    {
        var json = PartitionStatistics.Compute(Data, Partition).ToJson();

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("hand", root.GetProperty("dataset").GetString());
        Assert.Equal("dirichlet", root.GetProperty("scheme").GetString());
        Assert.Equal(0.3, root.GetProperty("alpha").GetDouble());
        Assert.False(root.TryGetProperty("shardsPerClient", out _));
        Assert.Equal(3, root.GetProperty("summary").GetProperty("trainMin").GetInt32());
        var client1 = root.GetProperty("perClient")[1];
        Assert.Equal(2, client1.GetProperty("test").GetInt32());
        Assert.Equal(new[] { 0, 2, 1 }, client1.GetProperty("trainHistogram").EnumerateArray().Select(e => e.GetInt32()));
    }
}
