using System.Collections.Concurrent;
using System.Threading.Channels;
using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>
/// One registered client's open call on the server: what it registered, a queue of messages for it (one writer loop
/// drains it into the response stream), and the tasks it owes replies to. Cheap while idle: no buffers until work flows.
/// </summary>
public sealed class ClientSession
{
    /// <summary>
    /// What may stay queued for a client when the server starts its next task or gives up on a straggler: control
    /// messages, not an earlier task's tensors. A client that has answered its last task has read all of it; one that
    /// leaves a task's chunks unread is not draining its stream, and is dropped rather than let the server hold a model
    /// for it every round.
    /// </summary>
    public const long UndrainedLimitBytes = 1 << 20;

    long _queuedBytes;
    string? _closeReason;
    readonly Channel<ServerMessage> _outbox = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleReader = true });
    readonly ConcurrentDictionary<long, PendingTask> _pending = new();
    readonly CancellationTokenSource _closed = new();

    public ClientSession(Register registration, string peer)
    {
        ClientId = registration.ClientId;
        TrainExamples = registration.TrainExamples;
        TestExamples = registration.TestExamples;
        Tier = ClientText.Clean(registration.Tier);
        CustomDigest = registration.CustomDigest.ToByteArray();
        Peer = peer;
        Host = registration.Host.Length == 0 ? $"client {ClientId}" : $"host {ClientText.Clean(registration.Host)}";
    }

    public int ClientId { get; }
    public long TrainExamples { get; }
    public long TestExamples { get; }
    public string Tier { get; }
    public string Peer { get; }

    /// <summary>The process serving the client: its client host, or the client itself.</summary>
    public string Host { get; }

    /// <summary>SHA-256 of the custom parameters the client keeps (pFedLMT), as it registered or as last accepted.</summary>
    public byte[] CustomDigest { get; set; }

    /// <summary>Cancelled when the session ends (the call closed, or a newer session of the same client replaced it).</summary>
    public CancellationToken Closed => _closed.Token;

    public ChannelReader<ServerMessage> Outbox => _outbox.Reader;

    /// <summary>Bytes queued for the client and not yet written to its stream.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Why the session ended (null while open).</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Queues a message; false once the session has ended.</summary>
    public bool Send(ServerMessage message)
    {
        long size = message.CalculateSize();
        Interlocked.Add(ref _queuedBytes, size);
        if (_outbox.Writer.TryWrite(message)) return true;
        Interlocked.Add(ref _queuedBytes, -size);
        return false;
    }

    /// <summary>The writer loop reports a message written to the client's stream.</summary>
    public void Sent(ServerMessage message) => Interlocked.Add(ref _queuedBytes, -message.CalculateSize());

    /// <summary>Ends the session if more than <see cref="UndrainedLimitBytes"/> are still queued.</summary>
    public void DropIfUndrained(string when)
    {
        long queued = QueuedBytes;
        if (queued > UndrainedLimitBytes) Close($"client {ClientId} does not read its stream: {queued} bytes still queued {when}; dropped");
    }

    /// <summary>Registers a task and queues its header and chunks; the task fails at once if the session has ended.</summary>
    public PendingTask Start(PendingTask task, TaskHeader header, IEnumerable<TensorChunk> chunks)
    {
        DropIfUndrained("when the next task started");
        _pending[task.TaskId] = task;
        task.Completion.ContinueWith(_ => _pending.TryRemove(task.TaskId, out PendingTask? _), TaskScheduler.Default);
        bool queued = Send(new ServerMessage { Task = header });
        foreach (var chunk in chunks) queued &= Send(new ServerMessage { Chunk = chunk });
        if (!queued || _closed.IsCancellationRequested) task.Fail(CloseReason ?? $"client {ClientId} disconnected");
        return task;
    }

    /// <summary>Routes a message of the client to the task it belongs to; false for a message that belongs nowhere.</summary>
    public bool Receive(ClientMessage message)
    {
        switch (message.KindCase)
        {
            case ClientMessage.KindOneofCase.Reply when _pending.TryGetValue(message.Reply.TaskId, out var t):
                t.OnReply(message.Reply);
                return true;
            case ClientMessage.KindOneofCase.Chunk when _pending.TryGetValue(message.Chunk.TaskId, out var t):
                t.OnChunk(message.Chunk);
                return true;
            case ClientMessage.KindOneofCase.Failed when _pending.TryGetValue(message.Failed.TaskId, out var t):
                t.Fail($"client {ClientId} reported: {ClientText.Clean(message.Failed.Reason)}");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Ends the session: queued messages are dropped and every pending task fails with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        if (_closed.IsCancellationRequested) return;
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _closed.Cancel();
        _outbox.Writer.TryComplete();
        foreach (var task in _pending.Values) task.Fail(reason);
    }
}
