namespace FedLmt.Data.Tests;

public class ProportionalTestSplitTests
{
    [Theory]
    // 10 over three equal weights: 3.33 each, the first client takes the extra one (tie to the lower index).
    [InlineData(10, new long[] { 1, 1, 1 }, new[] { 4, 3, 3 })]
    // 200 over 300/300/600: 50, 50, 100 exactly.
    [InlineData(200, new long[] { 300, 300, 600 }, new[] { 50, 50, 100 })]
    // 7 over 1/2/4: exact 1, 2, 4.
    [InlineData(7, new long[] { 1, 2, 4 }, new[] { 1, 2, 4 })]
    // 5 over 3/3/1 (total 7): shares 2.14, 2.14, 0.71 -> floors 2, 2, 0, largest remainder 0.71 gets the last one.
    [InlineData(5, new long[] { 3, 3, 1 }, new[] { 2, 2, 1 })]
    // A client without that class gets none of it.
    [InlineData(4, new long[] { 0, 5, 0 }, new[] { 0, 4, 0 })]
    [InlineData(4, new long[] { 0, 0, 0 }, new[] { 0, 0, 0 })]
    public void Largest_remainder_matches_hand_worked_shares(int total, long[] weights, int[] expected)
    {
        Assert.Equal(expected, ProportionalTestSplit.LargestRemainder(total, weights));
    }

    [Fact]
    public void Test_samples_of_a_class_follow_the_train_shares_of_that_class()
    {
        // Train: client 0 holds 3 of class 0; client 1 holds 1 of class 0 and 2 of class 1.
        int[] trainLabels = [0, 0, 0, 0, 1, 1];
        int[][] trainParts = [[0, 1, 2], [3, 4, 5]];
        // Test: 8 of class 0 (split 6 : 2) and 3 of class 1 (all to client 1).
        int[] testLabels = [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0];

        var test = ProportionalTestSplit.Allocate(trainLabels, trainParts, testLabels, 2, new SeededRandom(1));
        var histograms = TestData.Histograms(test, testLabels, 2);

        Assert.Equal(new[] { 6, 0 }, histograms[0]);
        Assert.Equal(new[] { 2, 3 }, histograms[1]);
        TestData.AssertDisjointCover(test, testLabels.Length);
    }

    [Fact]
    public void Test_samples_of_a_class_nobody_trains_on_are_left_out()
    {
        int[] trainLabels = [0, 0];
        int[][] trainParts = [[0], [1]];
        int[] testLabels = [0, 2, 0];

        var test = ProportionalTestSplit.Allocate(trainLabels, trainParts, testLabels, 3, new SeededRandom(1));

        Assert.DoesNotContain(test, p => p.Contains(1));
        Assert.Equal(2, test.Sum(p => p.Length));
    }

    [Fact]
    public void On_a_dirichlet_partition_each_client_test_histogram_is_its_train_histogram_scaled_to_the_test_set()
    {
        var data = FashionMnist.LoadEmbeddedSubset();
        var train = new DirichletPartitioner(0.5).Split(data.Train.Labels, 10, 20, new SeededRandom(9));

        var test = ProportionalTestSplit.Allocate(data.Train.Labels, train, data.Test.Labels, 10, new SeededRandom(10));
        var trainHistograms = TestData.Histograms(train, data.Train.Labels, 10);
        var testHistograms = TestData.Histograms(test, data.Test.Labels, 10);

        // 1200 train and 200 test per class: a client's exact test share is train count / 6; rounding moves it by < 1.
        for (var k = 0; k < 20; k++)
        {
            for (var c = 0; c < 10; c++)
            {
                Assert.InRange(testHistograms[k][c], trainHistograms[k][c] / 6.0 - 1, trainHistograms[k][c] / 6.0 + 1);
            }
        }
        TestData.AssertDisjointCover(test, data.Test.Count);
    }
}
