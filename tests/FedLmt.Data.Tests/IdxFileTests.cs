namespace FedLmt.Data.Tests;

public class IdxFileTests
{
    // Two 2x3 images, written byte by byte in the IDX layout: magic 0x00000803, count, rows, columns, pixels.
    private static readonly byte[] ImagesRaw =
    [
        0x00, 0x00, 0x08, 0x03,
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x02,
        0x00, 0x00, 0x00, 0x03,
        1, 2, 3, 4, 5, 6,
        10, 20, 30, 40, 50, 255,
    ];

    // Two labels: magic 0x00000801, count, labels.
    private static readonly byte[] LabelsRaw = [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 7, 3];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_written_by_hand_raw_or_gzip(bool gzip)
    {
        using var dir = new TempDirectory();
        var path = dir.File("images.idx3");
        File.WriteAllBytes(path, gzip ? TestData.Gzip(ImagesRaw) : ImagesRaw);

        var images = IdxFile.ReadImages(path);

        Assert.Equal((2, 2, 3), (images.Count, images.Rows, images.Columns));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 255 }, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_labels_written_by_hand_raw_or_gzip(bool gzip)
    {
        using var dir = new TempDirectory();
        var path = dir.File("labels.idx1");
        File.WriteAllBytes(path, gzip ? TestData.Gzip(LabelsRaw) : LabelsRaw);

        Assert.Equal(new byte[] { 7, 3 }, IdxFile.ReadLabels(path));
    }

    [Fact]
    public void Detects_gzip_by_content_not_by_file_name()
    {
        using var dir = new TempDirectory();
        var rawNamedGz = dir.File("raw.gz");
        var gzipNamedRaw = dir.File("compressed.idx");
        File.WriteAllBytes(rawNamedGz, LabelsRaw);
        File.WriteAllBytes(gzipNamedRaw, TestData.Gzip(LabelsRaw));

        Assert.Equal(IdxFile.ReadLabels(rawNamedGz), IdxFile.ReadLabels(gzipNamedRaw));
    }

    [Fact]
    public void Builds_a_one_channel_dataset_from_image_and_label_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("i"), ImagesRaw);
        File.WriteAllBytes(dir.File("l"), LabelsRaw);

        var dataset = IdxFile.ReadDataset(dir.File("i"), dir.File("l"), "hand", 10, Normalization.Mnist);

        Assert.Equal((2, 1, 2, 3), (dataset.Count, dataset.Channels, dataset.Height, dataset.Width));
        Assert.Equal(new[] { 7, 3 }, dataset.Labels);
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 255 }, dataset.Image(1).ToArray());
    }

    [Fact]
    public void Refuses_a_label_file_given_as_images_and_says_the_files_look_swapped()
    {
        using var dir = new TempDirectory();
        var path = dir.File("swapped");
        File.WriteAllBytes(path, LabelsRaw);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("0x00000801", ex.Message);
        Assert.Contains("expected 0x00000803", ex.Message);
        Assert.Contains("swapped", ex.Message);
    }

    [Fact]
    public void Refuses_a_wrong_magic_number()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad-magic");
        var bytes = (byte[])ImagesRaw.Clone();
        bytes[2] = 0x0D; // float data type instead of unsigned byte
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains("0x00000D03", ex.Message);
        Assert.Contains("expected 0x00000803", ex.Message);
    }

    [Fact]
    public void Refuses_a_truncated_image_file_with_declared_and_found_sizes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("truncated");
        File.WriteAllBytes(path, ImagesRaw[..^4]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("2 x 2 x 3 = 12 data bytes but only 8 follow", ex.Message);
    }

    [Fact]
    public void Refuses_a_truncated_gzip_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("truncated.gz");
        var gz = TestData.Gzip(ImagesRaw);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Refuses_a_file_shorter_than_its_magic_number()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tiny");
        File.WriteAllBytes(path, [0, 0]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.Contains("2 bytes long", ex.Message);
    }

    [Fact]
    public void Refuses_extra_bytes_after_the_declared_data()
    {
        using var dir = new TempDirectory();
        var path = dir.File("long");
        File.WriteAllBytes(path, [.. LabelsRaw, 9]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.Contains("corrupt", ex.Message);
        Assert.Contains("2 data bytes but 3 follow", ex.Message);
    }

    [Fact]
    public void Refuses_corrupt_gzip_data_naming_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("corrupt.gz");
        File.WriteAllBytes(path, [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("gzip", ex.Message);
    }

    [Fact]
    public void Refuses_a_file_that_is_only_the_gzip_signature()
    {
        using var dir = new TempDirectory();
        var path = dir.File("stub.gz");
        File.WriteAllBytes(path, [0x1F, 0x8B, 0x08]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Refuses_image_and_label_counts_that_differ()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("i"), ImagesRaw);
        File.WriteAllBytes(dir.File("l"), [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x03, 1, 2, 3]);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadDataset(dir.File("i"), dir.File("l"), "x", 10, Normalization.Mnist));

        Assert.Contains("holds 2 images", ex.Message);
        Assert.Contains("holds 3 labels", ex.Message);
    }

    [Fact]
    public void Refuses_a_label_outside_the_class_range_naming_file_index_and_range()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("i"), ImagesRaw);
        File.WriteAllBytes(dir.File("l"), LabelsRaw);

        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadDataset(dir.File("i"), dir.File("l"), "x", 5, Normalization.Mnist));

        Assert.Contains(dir.File("l"), ex.Message);
        Assert.Contains("label 7 at index 0", ex.Message);
        Assert.Contains("expected 0..4", ex.Message);
    }

    [Fact]
    public void Reports_a_missing_file_by_path()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => IdxFile.ReadImages("/nonexistent/images.gz"));

        Assert.Contains("/nonexistent/images.gz", ex.Message);
    }

    [Fact]
    public void Writer_output_reads_back_identically_raw_and_gzip()
    {
        byte[] pixels = [.. Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)(i * 3))];

        foreach (var gzip in new[] { false, true })
        {
            var images = IdxFile.ParseImages(IdxWriter.EncodeImages(pixels, 3, 4, 5, gzip), "mem");
            var labels = IdxFile.ParseLabels(IdxWriter.EncodeLabels([4, 0, 9], gzip), "mem");

            Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Columns));
            Assert.Equal(pixels, images.Pixels);
            Assert.Equal(new byte[] { 4, 0, 9 }, labels);
        }
        Assert.Equal(ImagesRaw, IdxWriter.EncodeImages(ImagesRaw.AsSpan(16), 2, 2, 3, gzip: false));
    }
}
