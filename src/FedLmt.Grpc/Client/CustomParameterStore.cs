using FedLmt.Grpc.Protocol;
using FedLmt.Reporting;
using Google.Protobuf;

namespace FedLmt.Grpc;

/// <summary>
/// A pFedLMT client's own custom parameters on its disk: the custom part of its last update the server accepted,
/// in one file replaced atomically, so a restarted client keeps its personalization. The server sends custom
/// parameters only when its copy differs from this one (compared by SHA-256 digest).
/// </summary>
public sealed class CustomParameterStore
{
    readonly string _path;
    readonly int _clientId;
    (long TaskId, int Round, TensorPayload Payload)? _pending;

    public CustomParameterStore(string directory, int clientId)
    {
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, $"custom-{clientId}.bin");
        _clientId = clientId;
        if (File.Exists(_path))
        {
            KeptParameters kept;
            using (var stream = File.OpenRead(_path)) kept = KeptParameters.Parser.ParseFrom(stream);
            if (kept.ClientId != clientId) throw new InvalidDataException($"{_path} holds client {kept.ClientId}'s parameters, not client {clientId}'s");
            Kept = new TensorPayload(kept.Tensors.ToList(), kept.Segments.Select(s => s.ToByteArray()).ToList());
            KeptRound = kept.Round;
        }
    }

    public string FilePath => _path;

    /// <summary>The kept custom parameters, or null before the first accepted update.</summary>
    public TensorPayload? Kept { get; private set; }

    /// <summary>The round whose accepted update produced <see cref="Kept"/> (0-based), or -1.</summary>
    public int KeptRound { get; private set; } = -1;

    /// <summary>SHA-256 of <see cref="Kept"/> (empty when there is none): what the client registers with.</summary>
    public byte[] Digest => Kept?.Digest(_ => true) ?? [];

    /// <summary>Holds the custom part of an update just sent until the server says whether it was accepted.</summary>
    public void HoldPending(long taskId, int round, TensorPayload custom) =>
        _pending = (taskId, round, new TensorPayload([.. custom.Headers], custom.Segments.Select(s => s.ToArray()).ToList())); // its own copy: the update's arrays go back to their pool once sent

    /// <summary>On the server's word that task <paramref name="taskId"/> was aggregated, writes its custom parameters to disk; true if it did.</summary>
    public bool Commit(long taskId)
    {
        if (_pending is not { } p || p.TaskId != taskId) return false;
        var kept = new KeptParameters { ClientId = _clientId, Round = p.Round };
        kept.Tensors.AddRange(p.Payload.Headers);
        kept.Segments.AddRange(p.Payload.Segments.Select(ByteString.CopyFrom));
        AtomicFile.Write(_path, stream => kept.WriteTo(stream));
        Kept = p.Payload;
        KeptRound = p.Round;
        _pending = null;
        return true;
    }

    /// <summary>Forgets a pending update the server did not aggregate.</summary>
    public void Drop(long taskId)
    {
        if (_pending is { } p && p.TaskId == taskId) _pending = null;
    }
}
