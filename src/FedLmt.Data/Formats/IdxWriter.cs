using System.Buffers.Binary;
using System.IO.Compression;

namespace FedLmt.Data;

/// <summary>Writes IDX image and label files (the inverse of <see cref="IdxFile"/>), optionally gzip-compressed.</summary>
public static class IdxWriter
{
    /// <summary>The bytes of an IDX image file holding <paramref name="count"/> images of rows x columns.</summary>
    public static byte[] EncodeImages(ReadOnlySpan<byte> pixels, int count, int rows, int columns, bool gzip)
    {
        if ((long)count * rows * columns != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixel bytes do not make {count} images of {rows}x{columns}.");
        }
        var raw = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(raw, IdxFile.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(12), columns);
        pixels.CopyTo(raw.AsSpan(16));
        return gzip ? Compress(raw) : raw;
    }

    /// <summary>The bytes of an IDX label file.</summary>
    public static byte[] EncodeLabels(ReadOnlySpan<byte> labels, bool gzip)
    {
        var raw = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(raw, IdxFile.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), labels.Length);
        labels.CopyTo(raw.AsSpan(8));
        return gzip ? Compress(raw) : raw;
    }

    private static byte[] Compress(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return output.ToArray();
    }
}
