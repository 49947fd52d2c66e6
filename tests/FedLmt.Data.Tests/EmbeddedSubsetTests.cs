namespace FedLmt.Data.Tests;

public class EmbeddedSubsetTests
{
    private static readonly Lazy<DatasetSplit> Embedded = new(FashionMnist.LoadEmbeddedSubset);

    [Fact]
    public void Holds_12000_train_and_2000_test_images_of_28_by_28()
    {
        var split = Embedded.Value;

        Assert.Equal(12_000, split.Train.Count);
        Assert.Equal(2_000, split.Test.Count);
        Assert.Equal((1, 28, 28, 10), (split.TrainImages.Channels, split.TrainImages.Height, split.TrainImages.Width, split.ClassCount));
        Assert.Equal(12_000 * 784, split.TrainImages.Pixels.Length);
    }

    [Fact]
    public void Has_1200_train_and_200_test_images_per_class()
    {
        var split = Embedded.Value;

        Assert.All(split.Train.ClassHistogram(), n => Assert.Equal(1200, n));
        Assert.All(split.Test.ClassHistogram(), n => Assert.Equal(200, n));
    }

    [Fact]
    public void Uses_the_fashion_mnist_normalization_names_and_no_augmentation()
    {
        var split = Embedded.Value;

        Assert.Equal(0.2860f, split.TrainImages.Normalization.Mean[0]);
        Assert.Equal(0.3530f, split.TrainImages.Normalization.Std[0]);
        Assert.Equal("Ankle boot", split.Train.ClassNames[9]);
        Assert.True(split.TrainAugmentation.IsIdentity);
        Assert.Equal("fmnist-embedded/train", split.Train.Name);
    }

    [Fact]
    public void Looks_like_real_clothing_not_noise()
    {
        var train = Embedded.Value.TrainImages;

        // Fashion-MNIST's published training mean is 0.2860 on the [0, 1] scale; a stratified subset lands close to it.
        var mean = train.Pixels.Average(b => (double)b) / 255;
        // Real images have a black border: the corner pixels are almost always 0.
        var darkCorners = Enumerable.Range(0, train.Count).Count(i => train.Image(i)[0] == 0);

        Assert.InRange(mean, 0.27, 0.30);
        Assert.True(darkCorners > 0.95 * train.Count, $"only {darkCorners} images have a dark top-left corner");
    }

    [Fact]
    public void Matches_the_files_in_the_repository_data_folder()
    {
        var directory = Path.Combine(TestData.RepositoryRoot(), "data", "fashion-mnist-subset");

        var fromDisk = FashionMnist.LoadSubset(directory);

        Assert.Equal(Embedded.Value.TrainImages.Pixels, fromDisk.TrainImages.Pixels);
        Assert.Equal(Embedded.Value.Train.Labels, fromDisk.Train.Labels);
        Assert.Equal(Embedded.Value.TestImages.Pixels, fromDisk.TestImages.Pixels);
        Assert.Equal(Embedded.Value.Test.Labels, fromDisk.Test.Labels);
    }

    [Fact]
    public void A_tampered_copy_is_refused_with_file_and_both_hashes()
    {
        using var dir = new TempDirectory();
        var source = Path.Combine(TestData.RepositoryRoot(), "data", "fashion-mnist-subset");
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }
        var target = Path.Combine(dir.Path, "t10k-labels-idx1-ubyte.gz");
        var bytes = File.ReadAllBytes(target);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(target, bytes);
        var expected = ChecksumManifest.Parse(File.ReadAllText(Path.Combine(dir.Path, "SHA256SUMS")), "m").Hashes["t10k-labels-idx1-ubyte.gz"];

        var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadSubset(dir.Path));

        Assert.Contains("Checksum mismatch for 't10k-labels-idx1-ubyte.gz'", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(ChecksumManifest.Hash(bytes), ex.Message);
    }

    [Fact]
    public void Loads_from_any_working_directory()
    {
        var previous = Environment.CurrentDirectory;
        using var dir = new TempDirectory();
        try
        {
            Environment.CurrentDirectory = dir.Path;

            Assert.Equal(2_000, FashionMnist.LoadEmbeddedSubset().Test.Count);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
