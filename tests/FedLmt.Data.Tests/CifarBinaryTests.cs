namespace FedLmt.Data.Tests;

public class CifarBinaryTests
{
    // One record: label byte(s), then 3072 pixel bytes. Pixel (c, y, x) is at c*1024 + y*32 + x and gets a value
    // computed from its position and the record number, so layout mistakes show.
    private static byte[] Record(byte[] labels, int seed)
    {
        var record = new byte[labels.Length + 3072];
        labels.CopyTo(record, 0);
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 32; y++)
            {
                for (var x = 0; x < 32; x++)
                {
                    record[labels.Length + c * 1024 + y * 32 + x] = PixelValue(seed, c, y, x);
                }
            }
        }
        return record;
    }

    private static byte PixelValue(int seed, int c, int y, int x) => (byte)(seed * 31 + c * 100 + y * 3 + x);

    private static void WriteCifar10(string dir, int recordsPerFile)
    {
        var n = 0;
        foreach (var name in CifarBinary.Cifar10TrainFiles.Append(CifarBinary.Cifar10TestFile))
        {
            var bytes = Enumerable.Range(0, recordsPerFile).SelectMany(_ => Record([(byte)(n % 10)], n++)).ToArray();
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }
    }

    [Fact]
    public void Cifar10_reads_all_five_training_batches_in_order_with_channel_major_pixels()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir.Path, recordsPerFile: 3);

        var split = CifarBinary.ReadCifar10(dir.Path);

        Assert.Equal(15, split.Train.Count);
        Assert.Equal(3, split.Test.Count);
        Assert.Equal((3, 32, 32, 10), (split.TrainImages.Channels, split.TrainImages.Height, split.TrainImages.Width, split.ClassCount));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i % 10), split.Train.Labels);
        Assert.Equal(new[] { 5, 6, 7 }, split.Test.Labels);
        // Record 7 is the second record of data_batch_3; check three pixels in different channels.
        var image = split.TrainImages.Image(7);
        Assert.Equal(PixelValue(7, 0, 0, 0), image[0]);
        Assert.Equal(PixelValue(7, 1, 5, 9), image[1024 + 5 * 32 + 9]);
        Assert.Equal(PixelValue(7, 2, 31, 31), image[3071]);
        Assert.Equal(Normalization.Cifar10, split.TrainImages.Normalization);
        Assert.Equal("airplane", split.Train.ClassNames[0]);
        Assert.Equal(Augmentation.CifarStandard, split.TrainAugmentation);
    }

    [Fact]
    public void Cifar10_is_found_in_the_archive_subfolder()
    {
        using var dir = new TempDirectory();
        var inner = Path.Combine(dir.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(inner);
        WriteCifar10(inner, recordsPerFile: 1);

        Assert.Equal(5, CifarBinary.ReadCifar10(dir.Path).Train.Count);
    }

    [Theory]
    [InlineData(false, 100, 42)]
    [InlineData(true, 20, 7)]
    public void Cifar100_uses_fine_labels_by_default_and_coarse_on_request(bool coarse, int classes, int expectedLabel)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(Path.Combine(dir.Path, "train.bin"), [.. Record([7, 42], 0), .. Record([19, 99], 1)]);
        File.WriteAllBytes(Path.Combine(dir.Path, "test.bin"), Record([0, 0], 2));

        var split = CifarBinary.ReadCifar100(dir.Path, coarse);

        Assert.Equal(classes, split.ClassCount);
        Assert.Equal(expectedLabel, split.Train.Labels[0]);
        Assert.Equal(PixelValue(1, 2, 3, 4), split.TrainImages.Image(1)[2048 + 3 * 32 + 4]);
        Assert.Equal(Normalization.Cifar100, split.TrainImages.Normalization);
    }

    [Fact]
    public void Refuses_a_truncated_batch_naming_file_size_and_record_size()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir.Path, recordsPerFile: 2);
        var path = Path.Combine(dir.Path, "data_batch_3.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^100]);

        var ex = Assert.Throws<InvalidDataException>(() => CifarBinary.ReadCifar10(dir.Path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("6046 bytes", ex.Message);
        Assert.Contains("3073-byte", ex.Message);
    }

    [Fact]
    public void Refuses_a_label_out_of_range_naming_file_and_record()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir.Path, recordsPerFile: 2);
        var path = Path.Combine(dir.Path, CifarBinary.Cifar10TestFile);
        File.WriteAllBytes(path, [.. Record([3], 0), .. Record([12], 1)]);

        var ex = Assert.Throws<InvalidDataException>(() => CifarBinary.ReadCifar10(dir.Path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("record 1 has label 12", ex.Message);
        Assert.Contains("expected 0..9", ex.Message);
    }

    [Fact]
    public void Refuses_a_folder_without_the_batches_listing_what_is_missing()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(Path.Combine(dir.Path, "train.bin"), Record([0, 0], 0));

        var ex = Assert.Throws<FileNotFoundException>(() => CifarBinary.ReadCifar100(dir.Path));

        Assert.Contains("missing test.bin", ex.Message);
    }
}
