using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FedLmt.Data.Tests;

/// <summary>
/// The MAT reader and SVHN on files written by SciPy (Fixtures/svhn/make.py: an independent writer of the format) and on
/// files this test writes element by element, for what SciPy does not produce (MATLAB's compact storage, damage).
/// </summary>
public class SvhnTests
{
    static string Fixture(string variant) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "svhn", variant);

    /// <summary>make.py's pixel formula: X(r, c, ch, n) = (7 r + 3 c + 50 ch + 11 n) mod 256.</summary>
    static byte Expected(int n, int ch, int r, int c) => (byte)((7 * r + 3 * c + 50 * ch + 11 * n) % 256);

    [Theory]
    [InlineData("plain")]
    [InlineData("compressed")]
    public void Both_splits_read_as_images_channel_row_column_with_label_10_as_the_digit_0(string variant)
    {
        var data = DatasetResolver.Resolve($"svhn:{Fixture(variant)}");

        Assert.Equal((3, 32, 32, 10), (data.TrainImages.Channels, data.TrainImages.Height, data.TrainImages.Width, data.ClassCount));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], data.Train.Labels);
        Assert.Equal([0, 1, 2], data.Test.Labels);
        foreach (var (set, count) in new[] { (data.TrainImages, 7), (data.TestImages, 3) })
        {
            Assert.Equal(count, set.Count);
            for (int n = 0; n < count; n++)
            {
                var image = set.Image(n);
                for (int ch = 0; ch < 3; ch++)
                    for (int r = 0; r < 32; r++)
                        for (int c = 0; c < 32; c++)
                            Assert.True(Expected(n, ch, r, c) == image[ch * 1024 + r * 32 + c], $"image {n} channel {ch} row {r} column {c}");
            }
        }
        Assert.Equal("crop pad 2", data.TrainAugmentation.ToString()); // the reference's SVHN crop, no flip for digits
    }

    [Fact]
    public void Variables_not_asked_for_are_skipped_and_a_missing_one_is_named()
    {
        var arrays = MatFile.Read(Path.Combine(Fixture("compressed"), "test_32x32.mat"), "y");
        Assert.Equal([3, 1], arrays["y"].Dimensions);
        Assert.Equal(MatClass.Double, arrays["y"].Class);

        var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(Path.Combine(Fixture("plain"), "test_32x32.mat"), "X", "labels"));
        Assert.Contains("no variable 'labels'", e.Message);
    }

    [Fact]
    public void A_double_array_matlab_stored_as_bytes_and_a_tiny_one_in_the_small_form_read_as_their_values()
    {
        // MATLAB writes the values of a double array in the smallest type that holds them: here y as miUINT8.
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "y.mat");
        File.WriteAllBytes(path, MatBytes(Matrix("y", MatClass.Double, [4, 1], Element(2, [10, 3, 7, 1])),
                                          Matrix("z", MatClass.Double, [1, 1], Element(2, [9]))));
        var arrays = MatFile.Read(path, "y", "z");
        Assert.Equal([10.0, 3, 7, 1], arrays["y"].Values!);
        Assert.Equal([9.0], arrays["z"].Values!);
    }

    [Fact]
    public void A_small_element_claiming_more_than_its_four_bytes_is_refused_as_corrupt()
    {
        // The small form packs size and type into 4 bytes and carries at most 4 bytes of data; a size of 8 is damage.
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "y.mat");
        var lying = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(lying, 8u << 16 | 9u); // 8 bytes of miDOUBLE "inside" the tag
        File.WriteAllBytes(path, MatBytes(Matrix("y", MatClass.Double, [1, 1], lying)));
        var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(path, "y"));
        Assert.Contains("a small data element claims 8 bytes", e.Message);
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("corrupt", "corrupt")]
    [InlineData("big-endian", "big-endian")]
    [InlineData("v7.3", "HDF5")]
    [InlineData("not-mat", "not a MATLAB level-5 MAT file")]
    public void A_damaged_or_unsupported_file_is_refused_naming_it_and_why(string damage, string expected)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(Path.Combine(Fixture("compressed"), "train_32x32.mat"));
        switch (damage)
        {
            case "truncated": bytes = bytes[..(bytes.Length * 2 / 3)]; break;
            case "corrupt": for (int i = bytes.Length - 400; i < bytes.Length - 300; i++) bytes[i] ^= 0x5A; break;
            case "big-endian": bytes[126] = (byte)'M'; bytes[127] = (byte)'I'; break;
            case "v7.3": Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file").CopyTo(bytes, 0); break;
            case "not-mat": Encoding.ASCII.GetBytes("PK\u0003\u0004 a zip file").CopyTo(bytes, 0); break;
        }
        File.WriteAllBytes(Path.Combine(dir.Path, "train_32x32.mat"), bytes);
        File.Copy(Path.Combine(Fixture("compressed"), "test_32x32.mat"), Path.Combine(dir.Path, "test_32x32.mat"));

        var e = Assert.ThrowsAny<Exception>(() => Svhn.Read(dir.Path));
        Assert.True(e is InvalidDataException, e.ToString());
        Assert.Contains("train_32x32.mat", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Arrays_that_are_not_svhns_are_refused_with_what_they_are()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(Path.Combine(dir.Path, "train_32x32.mat"),
            MatBytes(Matrix("X", MatClass.UInt8, [28, 28, 1, 1], Element(2, new byte[784])), Matrix("y", MatClass.Double, [1, 1], Element(9, DoubleBytes(1)))));
        File.WriteAllBytes(Path.Combine(dir.Path, "test_32x32.mat"),
            MatBytes(Matrix("X", MatClass.UInt8, [32, 32, 3, 1], Element(2, new byte[3072])), Matrix("y", MatClass.Double, [1, 1], Element(9, DoubleBytes(11)))));

        var shape = Assert.Throws<InvalidDataException>(() => Svhn.ReadSplit(Path.Combine(dir.Path, "train_32x32.mat")));
        Assert.Contains("X is UInt8 (28 x 28 x 1 x 1)", shape.Message);
        var label = Assert.Throws<InvalidDataException>(() => Svhn.ReadSplit(Path.Combine(dir.Path, "test_32x32.mat")));
        Assert.Contains("label 11 of image 0", label.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => Svhn.Read(Path.Combine(dir.Path, "nowhere")));
        Assert.Contains("train_32x32.mat", missing.Message);
    }

    // A minimal level-5 writer for the cases above: uncompressed elements, padded to 8 bytes, small form for <= 4 bytes.
    static byte[] MatBytes(params byte[][] elements)
    {
        var header = new byte[128];
        Array.Fill(header, (byte)' ', 0, 116);
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by SvhnTests").CopyTo(header, 0);
        header[124] = 0x00; header[125] = 0x01; header[126] = (byte)'I'; header[127] = (byte)'M';
        return [.. header, .. elements.SelectMany(e => e)];
    }

    static byte[] Element(int type, byte[] data)
    {
        if (data.Length <= 4)
        {
            var small = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(small, (uint)(data.Length << 16 | type));
            data.CopyTo(small, 4);
            return small;
        }
        var bytes = new byte[8 + (data.Length + 7) / 8 * 8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, type);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), data.Length);
        data.CopyTo(bytes, 8);
        return bytes;
    }

    static byte[] Matrix(string name, MatClass cls, int[] dims, byte[] values)
    {
        var flags = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)cls);
        var dimBytes = dims.SelectMany(d => BitConverter.GetBytes(d)).ToArray();
        byte[] content = [.. Element(6, flags), .. Element(5, dimBytes), .. Element(1, Encoding.ASCII.GetBytes(name)), .. values];
        return Element(14, content);
    }

    static byte[] DoubleBytes(double v) => BitConverter.GetBytes(v);
}
