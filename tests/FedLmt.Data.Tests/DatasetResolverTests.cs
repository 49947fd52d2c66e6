namespace FedLmt.Data.Tests;

public class DatasetResolverTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fmnist-embedded")]
    [InlineData(" FMNIST-Embedded ")]
    public void Default_and_explicit_embedded_specs_load_the_embedded_subset(string? spec)
    {
        var split = DatasetResolver.Resolve(spec);

        Assert.Equal("fmnist-embedded/train", split.Train.Name);
        Assert.Equal(12_000, split.Train.Count);
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_list_of_allowed_forms()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve("stl10:/data"));

        Assert.Contains("'stl10'", ex.Message);
        foreach (var (form, _) in DatasetResolver.Forms)
        {
            Assert.Contains(form, ex.Message);
        }
    }

    [Theory]
    [InlineData("mnist")]
    [InlineData("cifar10")]
    [InlineData("wikitext2")]
    [InlineData("sotu:")]
    [InlineData("imagefolder:")]
    public void Names_that_need_a_folder_say_so(string spec)
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve(spec));

        Assert.Contains(":PATH", ex.Message);
    }

    [Fact]
    public void Mnist_with_a_path_reads_idx_files_with_mnist_normalization()
    {
        using var dir = new TempDirectory();
        var labels = new byte[] { 1, 2, 3 };
        var pixels = new byte[3 * 4];
        foreach (var (prefix, count) in new[] { ("train", 3), ("t10k", 3) })
        {
            File.WriteAllBytes(Path.Combine(dir.Path, $"{prefix}-images-idx3-ubyte.gz"), IdxWriter.EncodeImages(pixels, count, 2, 2, gzip: true));
            File.WriteAllBytes(Path.Combine(dir.Path, $"{prefix}-labels-idx1-ubyte.gz"), IdxWriter.EncodeLabels(labels, gzip: true));
        }

        var split = DatasetResolver.Resolve($"mnist:{dir.Path}");

        Assert.Equal(Normalization.Mnist, split.TrainImages.Normalization);
        Assert.Equal(new[] { 1, 2, 3 }, split.Test.Labels);
    }

    [Fact]
    public void Image_folder_options_follow_the_path()
    {
        using var dir = new TempDirectory();
        foreach (var path in new[] { "train/a/1.png", "test/a/1.png" })
        {
            using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(6, 6);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, dir.File(path));
        }

        var split = DatasetResolver.Resolve($"imagefolder:{dir.Path}?size=3&gray");

        Assert.Equal((1, 3, 3), (split.TrainImages.Channels, split.TrainImages.Height, split.TrainImages.Width));
    }

    [Fact]
    public void Refuses_an_unknown_image_folder_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve("imagefolder:/x?size=0"));

        Assert.Contains("'size=0'", ex.Message);
        Assert.Contains("expected size=N", ex.Message);
    }

    [Fact]
    public void Refuses_a_path_on_the_embedded_subset()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve("fmnist-embedded:/data"));

        Assert.Contains("takes no path", ex.Message);
    }
}
