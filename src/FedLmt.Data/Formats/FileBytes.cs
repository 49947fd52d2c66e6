using System.Buffers.Binary;
using System.IO.Compression;

namespace FedLmt.Data;

/// <summary>Reads whole data files, transparently un-gzipping those that start with the gzip magic bytes, and writes them whole.</summary>
internal static class FileBytes
{
    /// <summary>The file's content, decompressed if it is gzip (detected by its first two bytes, 1F 8B, not its name).</summary>
    public static byte[] Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decompresses <paramref name="content"/> if it is gzip; <paramref name="source"/> names it in errors.</summary>
    public static byte[] Decode(byte[] content, string source)
    {
        if (content.Length < 2 || content[0] != 0x1F || content[1] != 0x8B)
        {
            return content;
        }
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content, writable: false), CompressionMode.Decompress);
            // The gzip trailer's last 4 bytes hold the uncompressed size (mod 2^32); a damaged trailer only costs a regrowth.
            var declared = content.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(content.Length - 4)) : 0;
            using var output = new MemoryStream((int)Math.Min(declared, Math.Min((long)content.Length * 32, Array.MaxLength)));
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{source}' starts with the gzip signature but its compressed data is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/> and moves it over, so a
    /// reader sees the old file or the new one, never half of one.
    /// </summary>
    public static void WriteReplacing(string path, byte[] content)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
