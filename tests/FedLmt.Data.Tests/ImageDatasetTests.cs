namespace FedLmt.Data.Tests;

public class ImageDatasetTests
{
    private static readonly Normalization Gray = new([0.5f], [0.5f]);

    [Fact]
    public void Refuses_pixels_that_do_not_match_the_label_count_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ImageDataset("d", new byte[7], [0, 1], 1, 2, 2, 2, Gray));

        Assert.Contains("7 pixel bytes for 2 labels", ex.Message);
        Assert.Contains("= 8", ex.Message);
    }

    [Fact]
    public void Refuses_a_label_out_of_range()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ImageDataset("d", new byte[8], [0, 2], 1, 2, 2, 2, Gray));

        Assert.Contains("label 2 at index 1", ex.Message);
        Assert.Contains("expected 0..1", ex.Message);
    }

    [Fact]
    public void Refuses_a_normalization_for_another_channel_count()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ImageDataset("d", new byte[8], [0, 1], 1, 2, 2, 2, Normalization.Cifar10));

        Assert.Contains("normalization has 3 channels; expected 1", ex.Message);
    }

    [Fact]
    public void Select_copies_the_chosen_images_in_order()
    {
        var dataset = TestData.Dataset([0, 1, 0, 1], 2);

        var subset = dataset.Select([3, 0]);

        Assert.Equal(new[] { 1, 0 }, subset.Labels);
        Assert.Equal(new byte[] { 3, 3, 3, 3, 0, 0, 0, 0 }, subset.Pixels);
    }

    [Fact]
    public void Split_refuses_train_and_test_of_different_shapes()
    {
        var train = TestData.Dataset([0], 1, 2, 2);
        var test = TestData.Dataset([0], 1, 3, 3);

        var ex = Assert.Throws<ArgumentException>(() => new DatasetSplit(train, test, Augmentation.None));

        Assert.Contains("1x2x2", ex.Message);
        Assert.Contains("1x3x3", ex.Message);
    }
}
