namespace FedLmt.Data.Tests;

public class FashionMnistSubsetBuilderTests
{
    // A fake "full" dataset: 10 classes x 8 train and 10 x 4 test images of 2x2, image i filled with byte i.
    private static void WriteFakeFull(string dir)
    {
        var trainLabels = TestData.BalancedLabels(10, 8);
        var testLabels = TestData.BalancedLabels(10, 4);
        var train = TestData.Dataset(trainLabels, 10);
        var test = TestData.Dataset(testLabels, 10);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), IdxWriter.EncodeImages(train.Pixels, 80, 2, 2, gzip: true));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), IdxWriter.EncodeLabels([.. trainLabels.Select(l => (byte)l)], gzip: true));
        // The raw (uncompressed) names are accepted too.
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), IdxWriter.EncodeImages(test.Pixels, 40, 2, 2, gzip: false));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), IdxWriter.EncodeLabels([.. testLabels.Select(l => (byte)l)], gzip: false));
    }

    [Fact]
    public void Selection_takes_the_same_number_of_each_class_in_ascending_order()
    {
        var dataset = TestData.Dataset(TestData.BalancedLabels(3, 10), 3);

        var chosen = FashionMnistSubsetBuilder.Select(dataset, 4, seed: 5);

        Assert.Equal(12, chosen.Length);
        Assert.Equal(chosen.Order(), chosen);
        Assert.Equal(12, chosen.Distinct().Count());
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(4, chosen.Count(i => dataset.Labels[i] == c)));
    }

    [Fact]
    public void Selection_repeats_for_a_seed_and_changes_with_it()
    {
        var dataset = TestData.Dataset(TestData.BalancedLabels(3, 10), 3);

        var a = FashionMnistSubsetBuilder.Select(dataset, 4, seed: 5);
        var b = FashionMnistSubsetBuilder.Select(dataset, 4, seed: 5);
        var c = FashionMnistSubsetBuilder.Select(dataset, 4, seed: 6);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Builds_gzip_idx_files_and_a_manifest_that_load_back()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        WriteFakeFull(source.Path);

        var result = FashionMnistSubsetBuilder.Build(source.Path, output.Path, trainPerClass: 3, testPerClass: 2, seed: 9);
        var loaded = FashionMnist.LoadSubset(output.Path);

        Assert.Equal((30, 20), (result.TrainCount, result.TestCount));
        Assert.Equal(4, result.Files.Count);
        Assert.All(loaded.Train.ClassHistogram(), n => Assert.Equal(3, n));
        Assert.All(loaded.Test.ClassHistogram(), n => Assert.Equal(2, n));
        Assert.All(FashionMnist.FileNames, f => Assert.Equal(0x1F, File.ReadAllBytes(Path.Combine(output.Path, f))[0]));
        // Image i of the fake set is filled with i, and its label is i mod 10: every chosen image keeps its label.
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(loaded.TrainImages.Image(i)[0] % 10, loaded.Train.Labels[i]));
    }

    [Fact]
    public void Refuses_more_per_class_than_a_class_holds()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        WriteFakeFull(source.Path);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => FashionMnistSubsetBuilder.Build(source.Path, output.Path, trainPerClass: 9));

        Assert.Contains("has 8 images of class 0; cannot take 9", ex.Message);
    }

    [Fact]
    public void Reports_a_missing_source_with_the_files_and_how_to_get_them()
    {
        using var output = new TempDirectory();

        var ex = Assert.Throws<FileNotFoundException>(() => FashionMnistSubsetBuilder.Build("/nonexistent/fmnist", output.Path));

        Assert.Contains("/nonexistent/fmnist", ex.Message);
        Assert.Contains("train-images-idx3-ubyte[.gz]", ex.Message);
        Assert.Contains("dataset-fashion-mnist", ex.Message);
    }
}
