using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FedLmt.Data.Tests;

public class ImageFolderTests
{
    // A w x h image whose pixel (x, y) is (r, g + x, b + y).
    private static void WritePng(string path, int width, int height, byte r, byte g, byte b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24(r, (byte)(g + x), (byte)(b + y));
            }
        }
        image.SaveAsPng(path);
    }

    [Fact]
    public void Reads_class_folders_in_ordinal_order_with_rgb_planes()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/dog/a.png"), 4, 3, 200, 10, 20);
        WritePng(dir.File("train/cat/b.png"), 4, 3, 100, 30, 40);
        WritePng(dir.File("train/cat/a.png"), 4, 3, 50, 60, 70);
        WritePng(dir.File("test/dog/x.png"), 4, 3, 1, 2, 3);

        var split = ImageFolder.Read(dir.Path);

        Assert.Equal(new[] { "cat", "dog" }, split.Train.ClassNames);
        // cat/a.png, cat/b.png, dog/a.png
        Assert.Equal(new[] { 0, 0, 1 }, split.Train.Labels);
        Assert.Equal(new[] { 1 }, split.Test.Labels);
        Assert.Equal((3, 3, 4), (split.TrainImages.Channels, split.TrainImages.Height, split.TrainImages.Width));
        var image = split.TrainImages.Image(0);
        var plane = 12;
        // Pixel (x=2, y=1) of cat/a.png: R = 50, G = 60 + 2, B = 70 + 1.
        Assert.Equal(50, image[0 * plane + 1 * 4 + 2]);
        Assert.Equal(62, image[1 * plane + 1 * 4 + 2]);
        Assert.Equal(71, image[2 * plane + 1 * 4 + 2]);
    }

    [Fact]
    public void Measures_normalization_on_the_training_images()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/a/1.png"), 1, 1, 0, 0, 0);
        WritePng(dir.File("train/b/1.png"), 1, 1, 255, 255, 255);
        WritePng(dir.File("test/a/1.png"), 1, 1, 0, 0, 0);

        var split = ImageFolder.Read(dir.Path);

        // Half the pixels 0, half 1 on the [0, 1] scale: mean 0.5, population std 0.5.
        Assert.All(split.TrainImages.Normalization.Mean, m => Assert.Equal(0.5f, m, 5));
        Assert.All(split.TrainImages.Normalization.Std, s => Assert.Equal(0.5f, s, 5));
    }

    [Fact]
    public void Reads_the_tiny_imagenet_layout_with_validation_annotations()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/n01443537/images/n01443537_0.JPEG"), 2, 2, 10, 0, 0);
        WritePng(dir.File("train/n01629819/images/n01629819_0.JPEG"), 2, 2, 20, 0, 0);
        File.WriteAllText(dir.File("train/n01443537/n01443537_boxes.txt"), "n01443537_0.JPEG\t0\t0\t1\t1\n");
        WritePng(dir.File("val/images/val_0.JPEG"), 2, 2, 30, 0, 0);
        WritePng(dir.File("val/images/val_1.JPEG"), 2, 2, 40, 0, 0);
        File.WriteAllText(dir.File("val/val_annotations.txt"), "val_0.JPEG\tn01629819\t0\t0\t1\t1\nval_1.JPEG\tn01443537\t0\t0\t1\t1\n");
        // The real archive also has an unlabelled test split, which must not be mistaken for class folders.
        WritePng(dir.File("test/images/test_0.JPEG"), 2, 2, 50, 0, 0);

        var split = ImageFolder.Read(dir.Path);

        Assert.Equal(new[] { "n01443537", "n01629819" }, split.Train.ClassNames);
        Assert.Equal(new[] { 0, 1 }, split.Train.Labels);
        Assert.Equal(new[] { 1, 0 }, split.Test.Labels);
        Assert.Equal(30, split.TestImages.Image(0)[0]);
    }

    [Fact]
    public void Decodes_jpeg_files_close_to_their_colors()
    {
        using var dir = new TempDirectory();
        foreach (var (path, gray) in new[] { ("train/a/1.jpg", (byte)40), ("train/b/1.JPEG", (byte)200), ("test/a/1.jpeg", (byte)120) })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir.File(path))!);
            using var image = new Image<Rgb24>(8, 8, new Rgb24(gray, gray, gray));
            image.SaveAsJpeg(dir.File(path), new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 95 });
        }

        var split = ImageFolder.Read(dir.Path);

        // JPEG is lossy, but a flat gray block survives within a few levels.
        Assert.All(split.TrainImages.Image(0).ToArray(), v => Assert.InRange(v, 37, 43));
        Assert.All(split.TrainImages.Image(1).ToArray(), v => Assert.InRange(v, 197, 203));
        Assert.All(split.TestImages.Image(0).ToArray(), v => Assert.InRange(v, 117, 123));
    }

    [Fact]
    public void Resizes_and_converts_to_gray_when_asked()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/a/1.png"), 8, 6, 90, 90, 90);
        WritePng(dir.File("train/b/1.png"), 3, 5, 90, 90, 90);
        WritePng(dir.File("test/a/1.png"), 4, 4, 90, 90, 90);

        var split = ImageFolder.Read(dir.Path, new ImageFolderOptions(Size: 4, Grayscale: true));

        Assert.Equal((1, 4, 4), (split.TrainImages.Channels, split.TrainImages.Height, split.TrainImages.Width));
        Assert.Equal(2, split.Train.Count);
    }

    [Fact]
    public void Refuses_images_of_different_sizes_without_a_resize_naming_both_files()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/a/1.png"), 4, 4, 0, 0, 0);
        WritePng(dir.File("train/b/1.png"), 5, 4, 0, 0, 0);
        WritePng(dir.File("test/a/1.png"), 4, 4, 0, 0, 0);

        var ex = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(dir.Path));

        Assert.Contains(dir.File("train/b/1.png"), ex.Message);
        Assert.Contains("5x4", ex.Message);
        Assert.Contains("expected 4x4", ex.Message);
        Assert.Contains(dir.File("train/a/1.png"), ex.Message);
    }

    [Fact]
    public void Refuses_a_corrupt_image_naming_it()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/a/1.png"), 4, 4, 0, 0, 0);
        File.WriteAllBytes(dir.File("train/b/broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        WritePng(dir.File("test/a/1.png"), 4, 4, 0, 0, 0);

        var ex = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(dir.Path));

        Assert.Contains(dir.File("train/b/broken.png"), ex.Message);
    }

    [Fact]
    public void Refuses_a_test_class_the_train_split_lacks()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/a/1.png"), 2, 2, 0, 0, 0);
        WritePng(dir.File("test/zebra/1.png"), 2, 2, 0, 0, 0);

        var ex = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(dir.Path));

        Assert.Contains("zebra", ex.Message);
    }

    [Fact]
    public void Refuses_an_annotation_naming_an_unknown_class_with_file_and_line()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("train/n1/images/a.JPEG"), 2, 2, 0, 0, 0);
        WritePng(dir.File("val/images/v.JPEG"), 2, 2, 0, 0, 0);
        File.WriteAllText(dir.File("val/val_annotations.txt"), "v.JPEG\tn1\n\nv.JPEG\tn9\n");

        var ex = Assert.Throws<InvalidDataException>(() => ImageFolder.Read(dir.Path));

        Assert.Contains("val_annotations.txt' line 3", ex.Message);
        Assert.Contains("'n9'", ex.Message);
    }

    [Fact]
    public void Refuses_a_root_without_a_train_folder()
    {
        using var dir = new TempDirectory();

        var ex = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Read(dir.Path));

        Assert.Contains("no 'train' folder", ex.Message);
    }
}
