using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FedLmt.Data;

/// <summary>A numeric array of a MAT file: its name, MATLAB class, dimensions (column-major) and values.</summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Class">MATLAB's class of the array (what it is), which may differ from how its values were stored.</param>
/// <param name="Dimensions">Dimensions in MATLAB order (the first varies fastest).</param>
/// <param name="Bytes">The values when the class is uint8 (one byte each, column-major); null otherwise.</param>
/// <param name="Values">The values of any other numeric class, as doubles (column-major); null for uint8.</param>
public sealed record MatArray(string Name, MatClass Class, int[] Dimensions, byte[]? Bytes, double[]? Values)
{
    /// <summary>Number of elements (the product of the dimensions).</summary>
    public long Count => Dimensions.Aggregate(1L, (a, d) => a * d);
}

/// <summary>The MATLAB array classes (mxClassID) this reader knows; only the numeric ones can be read.</summary>
public enum MatClass
{
    Cell = 1, Struct = 2, Object = 3, Char = 4, Sparse = 5,
    Double = 6, Single = 7, Int8 = 8, UInt8 = 9, Int16 = 10, UInt16 = 11, Int32 = 12, UInt32 = 13, Int64 = 14, UInt64 = 15,
}

/// <summary>
/// Reads the numeric arrays of a MATLAB level-5 MAT file (what <c>save</c> writes by default, and what SVHN ships): a
/// 128-byte header, then data elements, each a tag (type, byte count; or the 4-byte small form) padded to 8 bytes, a
/// top-level element usually zlib-compressed (miCOMPRESSED) around one miMATRIX. MATLAB may store an array's values in a
/// smaller type than its class (a double array of small integers as uint8): every integer and float storage type is
/// read. Only what numeric arrays need is supported; anything else is refused by name: big-endian files, complex,
/// sparse, cell, struct and character arrays, and version 7.3 files (which are HDF5).
/// </summary>
public static class MatFile
{
    const int HeaderBytes = 128;
    const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    /// <summary>
    /// The numeric arrays named <paramref name="names"/> from the file at <paramref name="path"/> (every other variable is
    /// skipped unread). Refuses a file that is not a level-5 MAT file, is truncated or corrupt, or lacks one of the names.
    /// </summary>
    public static IReadOnlyDictionary<string, MatArray> Read(string path, params string[] names)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"MAT file {path} does not exist", path);
        using var file = File.OpenRead(path);
        return Read(file, path, names);
    }

    /// <summary>As <see cref="Read(string, string[])"/>, from a stream (<paramref name="source"/> names it in errors).</summary>
    public static IReadOnlyDictionary<string, MatArray> Read(Stream stream, string source, params string[] names)
    {
        var wanted = new HashSet<string>(names, StringComparer.Ordinal);
        var found = new Dictionary<string, MatArray>(StringComparer.Ordinal);
        ReadHeader(stream, source);
        var tag = new byte[8];
        while (found.Count < wanted.Count && ReadFully(stream, tag, allowEnd: true, source))
        {
            var (type, size, small) = ParseTag(tag);
            if (small) continue; // a small element at top level carries no array
            if (type == MiCompressed)
            {
                using var zlib = new ZLibStream(new BoundedStream(stream, size, source), CompressionMode.Decompress, leaveOpen: true);
                var inner = new byte[8];
                try
                {
                    ReadFully(zlib, inner, allowEnd: false, source);
                    var (innerType, innerSize, _) = ParseTag(inner);
                    if (innerType == MiMatrix && ReadMatrix(zlib, innerSize, source, wanted) is { } array) found[array.Name] = array;
                }
                catch (InvalidDataException e) when (e.InnerException is null && !e.Message.StartsWith(source, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{source}: a compressed element is corrupt ({e.Message})", e);
                }
                // Whatever was not read of this element (a skipped variable, zlib's trailer) is passed over.
                Skip(stream, BoundedStream.Remaining(zlib), source);
            }
            else if (type == MiMatrix)
            {
                using var bounded = new BoundedStream(stream, size, source);
                if (ReadMatrix(bounded, size, source, wanted) is { } array) found[array.Name] = array;
                Skip(stream, bounded.Left + Padding(size), source);
            }
            else Skip(stream, size + Padding(size), source);
        }
        var missing = wanted.Where(n => !found.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{source}: no variable {string.Join(", ", missing.Select(n => $"'{n}'"))} (found: {(found.Count == 0 ? "none of those asked for" : string.Join(", ", found.Keys))})");
        return found;
    }

    static void ReadHeader(Stream stream, string source)
    {
        var header = new byte[HeaderBytes];
        if (!ReadFully(stream, header, allowEnd: true, source))
            throw new InvalidDataException($"{source}: empty file; expected a MATLAB level-5 MAT file");
        string text = Encoding.ASCII.GetString(header, 0, 116);
        if (text.StartsWith("MATLAB 7.3", StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: a MATLAB 7.3 (HDF5) file; save it with -v7 (or -v6) to read it here");
        if (!text.StartsWith("MATLAB 5.0 MAT-file", StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: not a MATLAB level-5 MAT file (its header does not start with 'MATLAB 5.0 MAT-file')");
        if (header[126] == 'M' && header[127] == 'I')
            throw new InvalidDataException($"{source}: a big-endian MAT file; only little-endian files (what MATLAB writes on x86 and ARM) are read");
        if (header[126] != 'I' || header[127] != 'M')
            throw new InvalidDataException($"{source}: bad endian indicator '{(char)header[126]}{(char)header[127]}' in the header; expected 'IM'");
    }

    /// <summary>Reads one miMATRIX's content (<paramref name="size"/> bytes); null when it is not wanted (the rest is left to the caller to skip).</summary>
    static MatArray? ReadMatrix(Stream stream, long size, string source, HashSet<string> wanted)
    {
        var flags = ReadElement(stream, source, "array flags", maxBytes: 8);
        if (flags.Type != MiUInt32 || flags.Data.Length != 8) throw Corrupt(source, "the array flags element is malformed");
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(flags.Data);
        var cls = (MatClass)(word & 0xFF);
        bool complex = (word & 0x800) != 0;
        var dims = ReadElement(stream, source, "dimensions", maxBytes: 4 * 32);
        if (dims.Type != MiInt32 || dims.Data.Length < 8 || dims.Data.Length % 4 != 0) throw Corrupt(source, "the dimensions element is malformed");
        var dimensions = Enumerable.Range(0, dims.Data.Length / 4).Select(i => BinaryPrimitives.ReadInt32LittleEndian(dims.Data.AsSpan(4 * i))).ToArray();
        if (dimensions.Any(d => d < 0)) throw Corrupt(source, $"negative dimension in ({string.Join(", ", dimensions)})");
        var nameElement = ReadElement(stream, source, "array name", maxBytes: 4096);
        string name = Encoding.UTF8.GetString(nameElement.Data);
        if (!wanted.Contains(name)) return null;
        if (cls is < MatClass.Double or > MatClass.UInt64)
            throw new InvalidDataException($"{source}: variable '{name}' is a {cls} array; only numeric arrays are read");
        if (complex) throw new InvalidDataException($"{source}: variable '{name}' is complex; only real arrays are read");
        long count = dimensions.Aggregate(1L, (a, d) => a * d);
        if (count > int.MaxValue) throw new InvalidDataException($"{source}: variable '{name}' has {count} elements, more than this reader holds");

        var (type, bytes, inline) = ReadTag(stream, source);
        int width = ElementBytes(type) ?? throw new InvalidDataException($"{source}: variable '{name}' stores its values as MAT type {type}, which is not numeric");
        if (bytes != count * width)
            throw Corrupt(source, $"variable '{name}' holds {bytes} value bytes; its {count} elements of type {type} need {count * width}");
        // A few bytes of values come in the small form, inside their tag.
        byte[] raw = inline ?? new byte[bytes];
        if (inline is null) ReadFully(stream, raw, allowEnd: false, source);
        if (cls == MatClass.UInt8)
        {
            if (type != MiUInt8) throw Corrupt(source, $"variable '{name}' is uint8 but stores its values as MAT type {type}");
            return new MatArray(name, cls, dimensions, raw, null);
        }
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = Value(raw.AsSpan(i * width, width), type);
        return new MatArray(name, cls, dimensions, null, values);
    }

    static double Value(ReadOnlySpan<byte> b, int type) => type switch
    {
        MiInt8 => (sbyte)b[0],
        MiUInt8 => b[0],
        MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        MiSingle => BinaryPrimitives.ReadSingleLittleEndian(b),
        MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(b),
        MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
    };

    static int? ElementBytes(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => null,
    };

    /// <summary>A whole small element (at most <paramref name="maxBytes"/> of data), its padding consumed.</summary>
    static (int Type, byte[] Data) ReadElement(Stream stream, string source, string what, int maxBytes)
    {
        var (type, bytes, inline) = ReadTag(stream, source);
        if (bytes > maxBytes) throw Corrupt(source, $"the {what} element claims {bytes} bytes");
        if (inline is not null) return (type, inline);
        var data = new byte[bytes];
        ReadFully(stream, data, allowEnd: false, source);
        Skip(stream, Padding(bytes), source);
        return (type, data);
    }

    /// <summary>A tag, and for the small form the data it carries (null: the data follows the tag).</summary>
    static (int Type, long Bytes, byte[]? Inline) ReadTag(Stream stream, string source)
    {
        var tag = new byte[8];
        ReadFully(stream, tag, allowEnd: false, source);
        var (type, bytes, small) = ParseTag(tag);
        if (!small) return (type, bytes, null);
        if (bytes > 4) throw Corrupt(source, $"a small data element claims {bytes} bytes; it holds at most 4");
        return (type, bytes, tag[4..(4 + (int)bytes)]);
    }

    static (int Type, long Bytes, bool Small) ParseTag(byte[] tag)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        if (first >> 16 != 0) return ((int)(first & 0xFFFF), first >> 16, true); // small element: size, type and 4 data bytes
        return ((int)first, BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4)), false);
    }

    static long Padding(long bytes) => (8 - bytes % 8) % 8;

    static bool ReadFully(Stream stream, byte[] buffer, bool allowEnd, string source)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                if (read == 0 && allowEnd) return false;
                throw Corrupt(source, "the file ends inside a data element (truncated?)");
            }
            read += n;
        }
        return true;
    }

    static void Skip(Stream stream, long bytes, string source)
    {
        if (bytes <= 0) return;
        if (stream.CanSeek)
        {
            if (stream.Position + bytes > stream.Length) throw Corrupt(source, "the file ends inside a data element (truncated?)");
            stream.Seek(bytes, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[Math.Min(bytes, 1 << 16)];
        while (bytes > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (n == 0) throw Corrupt(source, "the file ends inside a data element (truncated?)");
            bytes -= n;
        }
    }

    static InvalidDataException Corrupt(string source, string what) => new($"{source}: corrupt MAT file: {what}");

    /// <summary>A read-only view of the next <c>length</c> bytes of a stream; refuses to read past them or past the stream's end.</summary>
    sealed class BoundedStream(Stream inner, long length, string source) : Stream
    {
        public long Left { get; private set; } = length;

        /// <summary>Bytes of the bounded element a decompressor over it has not consumed.</summary>
        public static long Remaining(ZLibStream zlib) => zlib.BaseStream is BoundedStream b ? b.Left : 0;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Left == 0) return 0;
            int n = inner.Read(buffer, offset, (int)Math.Min(count, Left));
            if (n == 0) throw Corrupt(source, "the file ends inside a data element (truncated?)");
            Left -= n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
