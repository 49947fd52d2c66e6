using System.Security.Cryptography;
using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Grpc;

/// <summary>
/// Named tensors as they travel: a header per tensor (name, dtype, shape), in order, and the raw bytes of each in
/// managed memory. Holding bytes rather than tensors lets the async gRPC code stream them without touching libtorch
/// (dispose scopes do not follow await); <see cref="FromTensors"/> and <see cref="ToTensors"/> are the synchronous
/// edges where tensors come and go.
/// </summary>
public sealed class TensorPayload
{
    /// <summary>
    /// The most bytes one <see cref="TensorChunk"/> carries: far below gRPC's 4 MiB default message limit, and below
    /// .NET's large-object threshold (85,000 bytes), so the buffer protobuf parses each chunk into is a short-lived
    /// small object whose memory the GC reuses at once, never a fresh large one (docs/BENCHMARKS.md, gRPC).
    /// </summary>
    public const int ChunkBytes = 64 << 10;

    readonly IReadOnlyList<byte[]> _segments;
    SegmentPool? _pool;
    bool _released;

    public TensorPayload(IReadOnlyList<TensorHeader> headers, IReadOnlyList<byte[]> segments)
    {
        if (headers.Count != segments.Count) throw new ArgumentException("one byte segment per tensor header is needed");
        Headers = headers;
        _segments = segments;
        TotalBytes = segments.Sum(s => (long)s.Length);
    }

    internal TensorPayload(IReadOnlyList<TensorHeader> headers, IReadOnlyList<byte[]> segments, SegmentPool pool) : this(headers, segments) => _pool = pool;

    public IReadOnlyList<TensorHeader> Headers { get; }

    /// <summary>The bytes of each tensor (little-endian, row-major), in header order.</summary>
    public IReadOnlyList<byte[]> Segments => _released ? throw new ObjectDisposedException(nameof(TensorPayload), "the payload's segments were released to their pool") : _segments;

    /// <summary>
    /// Hands the segments of a received payload back to the pool they came from, for the next payload of the same
    /// shapes (no effect on other payloads, or twice). Call it once the bytes are consumed (tensors built, digest
    /// taken); its bytes are unusable afterwards, and no payload sharing its arrays may be used either.
    /// </summary>
    public void Release()
    {
        var pool = Interlocked.Exchange(ref _pool, null);
        if (pool is null) return;
        _released = true;
        foreach (var segment in _segments) pool.Return(segment);
    }

    public long TotalBytes { get; }

    public static TensorPayload Empty { get; } = new([], []);

    /// <summary>
    /// Copies the tensors' bytes out of libtorch (synchronous: call it where tensors live), into arrays rented from
    /// <paramref name="pool"/> when one is given (then <see cref="Release"/> the payload once it is sent).
    /// </summary>
    public static TensorPayload FromTensors(IEnumerable<KeyValuePair<string, Tensor>> tensors, SegmentPool? pool = null)
    {
        var headers = new List<TensorHeader>();
        var segments = new List<byte[]>();
        foreach (var (name, tensor) in tensors)
        {
            var header = new TensorHeader { Name = name, Dtype = DTypes.ToWire(tensor.dtype) };
            header.Shape.AddRange(tensor.shape);
            headers.Add(header);
            segments.Add(BytesOf(tensor, pool));
        }
        return pool is null ? new TensorPayload(headers, segments) : new TensorPayload(headers, segments, pool);
    }

    /// <summary>The raw bytes of a CPU tensor, copied once into a managed array (rented from <paramref name="pool"/> if given).</summary>
    public static byte[] BytesOf(Tensor tensor, SegmentPool? pool = null)
    {
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException($"only CPU tensors travel; got one on {tensor.device}");
        using var contiguous = tensor.is_contiguous() ? null : tensor.contiguous();
        var bytes = (contiguous ?? tensor).bytes;
        if (pool is null) return bytes.ToArray();
        var array = pool.Rent(bytes.Length);
        bytes.CopyTo(array);
        return array;
    }

    /// <summary>Owned tensors built from the headers and bytes (synchronous: call it where tensors live).</summary>
    public NamedTensors ToTensors()
    {
        var entries = new List<KeyValuePair<string, Tensor>>(Headers.Count);
        try
        {
            for (int i = 0; i < Headers.Count; i++)
            {
                var h = Headers[i];
                var type = DTypes.FromWire(h.Dtype) ?? throw new InvalidDataException($"tensor '{h.Name}' has unknown dtype {h.Dtype}");
                var tensor = torch.empty(h.Shape.ToArray(), type);
                entries.Add(KeyValuePair.Create(h.Name, tensor));
                if (Segments[i].Length > 0) tensor.bytes = Segments[i];
            }
            return NamedTensors.Own(entries);
        }
        catch
        {
            foreach (var (_, t) in entries) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The payload as chunks of at most <paramref name="chunkBytes"/>: large tensors are sliced without copying, small
    /// neighbours are packed together so a model of many small tensors still travels in few messages.
    /// </summary>
    public IEnumerable<TensorChunk> Chunks(long taskId, int chunkBytes = ChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        long offset = 0;
        byte[]? pack = null;
        int packed = 0;
        long packStart = 0;
        foreach (var segment in Segments)
        {
            int at = 0;
            while (at < segment.Length)
            {
                int take = Math.Min(chunkBytes - packed, segment.Length - at);
                if (packed == 0 && take == chunkBytes)
                {
                    yield return new TensorChunk { TaskId = taskId, Offset = offset, Data = UnsafeByteOperations.UnsafeWrap(segment.AsMemory(at, take)) };
                }
                else
                {
                    if (packed == 0)
                    {
                        pack = new byte[(int)Math.Min(chunkBytes, TotalBytes - offset)];
                        packStart = offset;
                    }
                    Buffer.BlockCopy(segment, at, pack!, packed, take);
                    packed += take;
                    if (packed == pack!.Length)
                    {
                        yield return new TensorChunk { TaskId = taskId, Offset = packStart, Data = UnsafeByteOperations.UnsafeWrap(pack) };
                        packed = 0;
                    }
                }
                at += take;
                offset += take;
            }
        }
        if (packed > 0) yield return new TensorChunk { TaskId = taskId, Offset = packStart, Data = UnsafeByteOperations.UnsafeWrap(pack.AsMemory(0, packed)) };
    }

    /// <summary>
    /// SHA-256 over the names, dtypes, shapes and bytes of the tensors <paramref name="include"/> accepts, in name order
    /// (so the same tensors listed in another order have the same digest).
    /// </summary>
    public byte[] Digest(Func<string, bool> include)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (int i in Enumerable.Range(0, Headers.Count).Where(i => include(Headers[i].Name)).OrderBy(i => Headers[i].Name, StringComparer.Ordinal))
        {
            hash.AppendData(Headers[i].ToByteArray());
            hash.AppendData(Segments[i]);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>The bytes a header describes, or -1 if its dtype is unknown, a dimension is negative or the size overflows.</summary>
    public static long ByteLength(TensorHeader header)
    {
        int size = DTypes.ElementSize(header.Dtype);
        if (size == 0) return -1;
        long bytes = size;
        foreach (long d in header.Shape)
        {
            if (d < 0) return -1;
            try { bytes = checked(bytes * d); }
            catch (OverflowException) { return -1; }
        }
        return bytes;
    }
}
