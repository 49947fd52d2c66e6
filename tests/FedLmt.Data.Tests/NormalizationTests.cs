namespace FedLmt.Data.Tests;

public class NormalizationTests
{
    [Theory]
    // (255/255 - 0.2860) / 0.3530 = 0.714 / 0.353 = 2.0226629
    [InlineData(255, 2.0226629f)]
    // (0 - 0.2860) / 0.3530 = -0.8101983
    [InlineData(0, -0.8101983f)]
    // (51/255 - 0.2860) / 0.3530 = (0.2 - 0.286) / 0.353 = -0.2436261
    [InlineData(51, -0.2436261f)]
    public void Fashion_mnist_values_match_hand_computation(byte value, float expected)
    {
        Assert.Equal(expected, Normalization.FashionMnist.Apply(0, value), 5);
    }

    [Fact]
    public void Cifar10_normalizes_each_channel_with_its_own_statistics()
    {
        var n = Normalization.Cifar10;

        // Byte 255 in each channel: (1 - mean) / std.
        Assert.Equal((1 - 0.4914f) / 0.2023f, n.Apply(0, 255), 5);
        Assert.Equal((1 - 0.4822f) / 0.1994f, n.Apply(1, 255), 5);
        Assert.Equal((1 - 0.4465f) / 0.2010f, n.Apply(2, 255), 5);
        Assert.Equal(new[] { 0.5071f, 0.4865f, 0.4409f }, Normalization.Cifar100.Mean);
        Assert.Equal(new[] { 0.2673f, 0.2564f, 0.2762f }, Normalization.Cifar100.Std);
        Assert.Equal((0.1307f, 0.3081f), (Normalization.Mnist.Mean[0], Normalization.Mnist.Std[0]));
    }

    [Fact]
    public void Lookup_table_holds_every_byte_of_every_channel()
    {
        var n = Normalization.Cifar10;

        var table = n.BuildLookupTable();

        Assert.Equal(3 * 256, table.Length);
        Assert.Equal(n.Apply(1, 37), table[256 + 37]);
        Assert.Equal(n.Apply(2, 255), table[767]);
    }

    [Fact]
    public void Estimate_of_half_black_half_white_pixels_is_mean_and_std_one_half()
    {
        // Two 1x1x2 images: channel values 0, 255, 255, 0.
        var stats = Normalization.Estimate([0, 255, 255, 0], 1, 1, 2);

        Assert.Equal(0.5f, stats.Mean[0], 6);
        Assert.Equal(0.5f, stats.Std[0], 6);
    }

    [Fact]
    public void Estimate_measures_channels_separately()
    {
        // One 2x1x2 image: channel 0 = {51, 51} (constant 0.2), channel 1 = {0, 102} (0 and 0.4).
        var stats = Normalization.Estimate([51, 51, 0, 102], 2, 1, 2);

        Assert.Equal(0.2f, stats.Mean[0], 6);
        Assert.Equal(1f, stats.Std[0]); // a constant channel keeps std 1
        Assert.Equal(0.2f, stats.Mean[1], 6);
        Assert.Equal(0.2f, stats.Std[1], 6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Refuses_a_std_that_is_not_positive(float std)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Normalization([0.5f], [std]));

        Assert.Contains("std > 0", ex.Message);
    }
}
