using System.Buffers.Binary;

namespace FedLmt.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (raw or gzip): a big-endian magic 0x0000TTNN
/// (TT = 0x08 for unsigned bytes, NN = number of dimensions), NN big-endian int32 sizes, then the data.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file (idx3-ubyte).</summary>
    public static IdxImages ReadImages(string path) => ParseImages(FileBytes.Read(path), path);

    /// <summary>Reads a label file (idx1-ubyte).</summary>
    public static byte[] ReadLabels(string path) => ParseLabels(FileBytes.Read(path), path);

    /// <summary>Reads an image file and its label file into a dataset, checking counts and label range.</summary>
    public static ImageDataset ReadDataset(
        string imagesPath, string labelsPath, string name, int classCount, Normalization normalization,
        IReadOnlyList<string>? classNames = null) =>
        ToDataset(ReadImages(imagesPath), imagesPath, ReadLabels(labelsPath), labelsPath, name, classCount, normalization, classNames);

    /// <summary>Parses the bytes of an image file (already decompressed or gzip); <paramref name="source"/> names it in errors.</summary>
    public static IdxImages ParseImages(byte[] content, string source)
    {
        var data = FileBytes.Decode(content, source);
        var dims = ParseHeader(data, source, ImagesMagic, "images");
        var pixels = data.AsSpan(4 + 4 * dims.Length).ToArray();
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    /// <summary>Parses the bytes of a label file (already decompressed or gzip); <paramref name="source"/> names it in errors.</summary>
    public static byte[] ParseLabels(byte[] content, string source)
    {
        var data = FileBytes.Decode(content, source);
        var dims = ParseHeader(data, source, LabelsMagic, "labels");
        return data.AsSpan(4 + 4 * dims.Length).ToArray();
    }

    /// <summary>Joins parsed images and labels into a dataset, naming the files when they disagree.</summary>
    public static ImageDataset ToDataset(
        IdxImages images, string imagesSource, byte[] labels, string labelsSource, string name, int classCount,
        Normalization normalization, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException(
                $"'{imagesSource}' holds {images.Count} images but '{labelsSource}' holds {labels.Length} labels; expected the same count.");
        }
        var intLabels = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new InvalidDataException(
                    $"'{labelsSource}': label {labels[i]} at index {i} is out of range; expected 0..{classCount - 1}.");
            }
            intLabels[i] = labels[i];
        }
        return new ImageDataset(name, images.Pixels, intLabels, 1, images.Rows, images.Columns, classCount, normalization, classNames);
    }

    private static int[] ParseHeader(byte[] data, string source, int expectedMagic, string kind)
    {
        var expectedDims = expectedMagic & 0xFF;
        if (data.Length < 4)
        {
            throw new InvalidDataException(
                $"'{source}' is {data.Length} bytes long; an IDX {kind} file starts with the 4-byte magic number 0x{expectedMagic:X8}.");
        }
        var magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != expectedMagic)
        {
            var hint = magic == (expectedMagic == ImagesMagic ? LabelsMagic : ImagesMagic)
                ? $" (that is the magic of an IDX {(expectedMagic == ImagesMagic ? "labels" : "images")} file: are the files swapped?)"
                : "";
            throw new InvalidDataException(
                $"'{source}' has magic number 0x{magic:X8}; expected 0x{expectedMagic:X8} for an IDX {kind} file " +
                $"(unsigned bytes, {expectedDims} dimension{(expectedDims == 1 ? "" : "s")}){hint}.");
        }
        var headerLength = 4 + 4 * expectedDims;
        if (data.Length < headerLength)
        {
            throw new InvalidDataException(
                $"'{source}' is truncated: {data.Length} bytes, but the IDX {kind} header alone needs {headerLength}.");
        }
        var dims = new int[expectedDims];
        long expectedData = 1;
        for (var d = 0; d < expectedDims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 + 4 * d));
            if (dims[d] < 0 || (d > 0 && dims[d] == 0))
            {
                throw new InvalidDataException($"'{source}': dimension {d} of the IDX header is {dims[d]}; expected a positive size.");
            }
            expectedData *= dims[d];
        }
        var actualData = (long)data.Length - headerLength;
        if (actualData != expectedData)
        {
            var shape = string.Join(" x ", dims);
            throw new InvalidDataException(actualData < expectedData
                ? $"'{source}' is truncated: the header declares {shape} = {expectedData} data bytes but only {actualData} follow."
                : $"'{source}' is corrupt: the header declares {shape} = {expectedData} data bytes but {actualData} follow.");
        }
        return dims;
    }
}

/// <summary>The content of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> bytes.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
