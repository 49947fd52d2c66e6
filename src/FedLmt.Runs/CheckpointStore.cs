using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FedLmt.Federated;
using FedLmt.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Runs;

/// <summary>
/// Saves and loads a strategy's <see cref="ServerState"/> as one file, replaced atomically, so a crash leaves either
/// the previous checkpoint or the new one. Layout: "FEDLMTCK", a little-endian int32 header length, a JSON header
/// (strategy, round, scalars, for every tensor its group, name, dtype, shape, byte offset, and the SHA-256 of all tensor
/// bytes), then raw tensor bytes. A damaged file is refused with its path and what is wrong; it never resumes a run.
/// </summary>
public static class CheckpointStore
{
    static readonly byte[] Magic = "FEDLMTCK"u8.ToArray();

    sealed record Entry(string Group, string Name, string DType, long[] Shape, long Offset, long Length);

    // Version 2 adds Sha256: the hex SHA-256 of all tensor bytes, checked on load (version 1 files load without it).
    sealed record Header(int Version, string Strategy, int CompletedRounds, Dictionary<string, double> Scalars, List<Entry> Tensors,
        string? Sha256 = null);

    public static void Save(string path, ServerState state)
    {
        var tensors = new List<(string Group, string Name, Tensor T)>();
        tensors.AddRange(state.Global.Select(kv => ("global", kv.Key, kv.Value)));
        foreach (var (client, map) in state.PerClient.OrderBy(kv => kv.Key))
            tensors.AddRange(map.Select(kv => ($"client:{client}", kv.Key, kv.Value)));
        foreach (var (key, map) in state.Shared.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            tensors.AddRange(map.Select(kv => ($"shared:{key}", kv.Key, kv.Value)));

        long offset = 0;
        var entries = new List<Entry>();
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (group, name, t) in tensors)
        {
            long length = t.numel() * t.ElementSize;
            entries.Add(new Entry(group, name, t.dtype.ToString(), t.shape, offset, length));
            offset += length;
            using var contiguous = t.contiguous();
            sha.AppendData(contiguous.bytes);
        }
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(2, state.Strategy, state.CompletedRounds,
            new Dictionary<string, double>(state.Scalars), entries, Convert.ToHexString(sha.GetHashAndReset())));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, _, t) in tensors)
            {
                using var contiguous = t.contiguous();
                stream.Write(contiguous.bytes);
            }
        });
    }

    /// <summary>Loads a checkpoint; a truncated or foreign file is refused with the path and what was wrong.</summary>
    public static ServerState Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a FedLMT.NET checkpoint (bad magic)");
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4));
        if (headerLength <= 0 || 12L + headerLength > bytes.Length)
            throw new InvalidDataException($"{path}: header length {headerLength} does not fit a {bytes.Length}-byte file (truncated?)");
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(12, headerLength)) ?? throw new InvalidDataException($"{path}: empty header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint header is corrupt ({e.Message})");
        }
        if (header.Tensors is null || header.Strategy is null || header.Scalars is null)
            throw new InvalidDataException($"{path}: the checkpoint header lacks its tensors, strategy or scalars (corrupt)");
        long dataStart = 12L + headerLength;
        long expected = header.Tensors.Sum(e => e.Length);
        if (dataStart + expected != bytes.Length)
            throw new InvalidDataException($"{path}: holds {bytes.Length - dataStart} tensor bytes, its header describes {expected} (truncated or corrupt)");
        if (header.Sha256 is not null
            && !Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan((int)dataStart))).Equals(header.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: the tensor bytes do not match the checkpoint's SHA-256 (the file was damaged); restore a copy or start the run afresh");
        if (header.Version >= 2 && header.Sha256 is null)
            throw new InvalidDataException($"{path}: a version {header.Version} checkpoint without its SHA-256 (corrupt)");

        var groups = new Dictionary<string, List<KeyValuePair<string, Tensor>>>(StringComparer.Ordinal);
        foreach (var e in header.Tensors)
        {
            if (!Enum.TryParse<ScalarType>(e.DType, out var dtype))
                throw new InvalidDataException($"{path}: tensor '{e.Name}' has an unknown dtype '{e.DType}' (corrupt)");
            var t = torch.empty(e.Shape, dtype);
            t.bytes = bytes.AsSpan((int)(dataStart + e.Offset), (int)e.Length);
            if (!groups.TryGetValue(e.Group, out var list)) groups[e.Group] = list = [];
            list.Add(KeyValuePair.Create(e.Name, t.DetachFromDisposeScope()));
        }
        NamedTensors Group(string g) => NamedTensors.Own(groups.GetValueOrDefault(g) ?? []);
        var perClient = groups.Keys.Where(g => g.StartsWith("client:", StringComparison.Ordinal))
            .ToDictionary(g => int.Parse(g["client:".Length..]), Group);
        var shared = groups.Keys.Where(g => g.StartsWith("shared:", StringComparison.Ordinal))
            .ToDictionary(g => g["shared:".Length..], Group, StringComparer.Ordinal);
        return new ServerState(header.Strategy, header.CompletedRounds, Group("global"), perClient, shared, header.Scalars);
    }
}
