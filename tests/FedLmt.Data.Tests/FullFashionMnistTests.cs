namespace FedLmt.Data.Tests;

public class FullFashionMnistTests
{
    [FullFashionMnistFact]
    public void Has_60000_train_and_10000_test_images_with_6000_and_1000_per_class()
    {
        var split = FashionMnist.LoadFull();

        Assert.Equal(60_000, split.Train.Count);
        Assert.Equal(10_000, split.Test.Count);
        Assert.All(split.Train.ClassHistogram(), n => Assert.Equal(6000, n));
        Assert.All(split.Test.ClassHistogram(), n => Assert.Equal(1000, n));
    }

    [FullFashionMnistFact]
    public void Is_found_by_the_resolver_without_a_path()
    {
        var split = DatasetResolver.Resolve("fmnist");

        Assert.Equal(60_000, split.Train.Count);
        Assert.Equal("fmnist/train", split.Train.Name);
    }

    [FullFashionMnistFact]
    public void Rebuilding_the_subset_from_it_reproduces_the_embedded_subset_exactly()
    {
        using var dir = new TempDirectory();

        FashionMnistSubsetBuilder.Build(FashionMnist.DefaultDirectory, dir.Path);
        var rebuilt = FashionMnist.LoadSubset(dir.Path);
        var embedded = FashionMnist.LoadEmbeddedSubset();

        Assert.Equal(embedded.Train.Labels, rebuilt.Train.Labels);
        Assert.Equal(embedded.TrainImages.Pixels, rebuilt.TrainImages.Pixels);
        Assert.Equal(embedded.Test.Labels, rebuilt.Test.Labels);
        Assert.Equal(embedded.TestImages.Pixels, rebuilt.TestImages.Pixels);
    }
}
