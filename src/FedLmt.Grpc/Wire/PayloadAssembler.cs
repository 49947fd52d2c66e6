using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>
/// Reassembles a payload from its chunks: the headers fix every tensor's size up front (so nothing is allocated for a
/// payload over the limit), and chunks must arrive in order, exactly filling it. Managed memory only: safe in async code.
/// The bytes land in arrays rented from a <see cref="SegmentPool"/>; <see cref="TensorPayload.Release"/> returns them.
/// </summary>
public sealed class PayloadAssembler
{
    readonly TensorHeader[] _headers;
    readonly byte[][] _segments;
    readonly SegmentPool _pool;
    readonly long[] _starts;
    long _received;
    int _cursor;

    PayloadAssembler(TensorHeader[] headers, long[] lengths, SegmentPool pool)
    {
        _headers = headers;
        _pool = pool;
        _segments = lengths.Select(l => pool.Rent((int)l)).ToArray();
        _starts = new long[lengths.Length];
        long at = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            _starts[i] = at;
            at += lengths[i];
        }
        TotalBytes = at;
    }

    public long TotalBytes { get; }

    public bool IsComplete => _received == TotalBytes;

    /// <summary>
    /// An assembler for <paramref name="headers"/>, or null with the reason when a header is unusable (unknown dtype,
    /// negative dimension, duplicate name, a tensor over 2 GiB) or the total exceeds <paramref name="maxBytes"/>.
    /// Segments come from <paramref name="pool"/> (default <see cref="SegmentPool.Shared"/>).
    /// </summary>
    public static PayloadAssembler? Create(IReadOnlyList<TensorHeader> headers, long maxBytes, out string? error, SegmentPool? pool = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lengths = new long[headers.Count];
        long total = 0;
        for (int i = 0; i < headers.Count; i++)
        {
            var h = headers[i];
            if (!names.Add(h.Name)) { error = $"tensor '{h.Name}' appears twice"; return null; }
            long length = TensorPayload.ByteLength(h);
            if (length < 0) { error = $"tensor '{h.Name}' has an unusable header (dtype {h.Dtype}, shape [{string.Join(", ", h.Shape)}])"; return null; }
            if (length > Array.MaxLength) { error = $"tensor '{h.Name}' is {length} bytes, over the {Array.MaxLength}-byte limit of one tensor"; return null; }
            lengths[i] = length;
            total += length;
            if (total > maxBytes) { error = $"the payload declares more than {maxBytes} bytes"; return null; }
        }
        error = null;
        return new PayloadAssembler([.. headers], lengths, pool ?? SegmentPool.Shared);
    }

    /// <summary>Copies a chunk in place; returns the reason if it is out of order or overflows the payload.</summary>
    public string? Append(long offset, ReadOnlySpan<byte> data)
    {
        if (offset != _received) return $"chunk at offset {offset}, expected {_received}";
        if (data.Length > TotalBytes - _received) return $"chunk of {data.Length} bytes at offset {offset} overflows the {TotalBytes}-byte payload";
        while (data.Length > 0)
        {
            while (_received - _starts[_cursor] >= _segments[_cursor].Length) _cursor++; // chunks come in order
            long within = _received - _starts[_cursor];
            int take = (int)Math.Min(data.Length, _segments[_cursor].Length - within);
            data[..take].CopyTo(_segments[_cursor].AsSpan((int)within));
            data = data[take..];
            _received += take;
        }
        return null;
    }

    /// <summary>
    /// The assembled payload (call once <see cref="IsComplete"/>); its <see cref="TensorPayload.Release"/> hands the
    /// segments back to the pool. An assembler abandoned before completion just leaves its arrays to the GC.
    /// </summary>
    public TensorPayload ToPayload()
    {
        if (!IsComplete) throw new InvalidOperationException($"payload incomplete: {_received} of {TotalBytes} bytes");
        return new TensorPayload(_headers, _segments, _pool);
    }
}
