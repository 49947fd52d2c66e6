using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>What became of a task: the client's reply with its payload, or the reason there is none.</summary>
public sealed record TaskOutcome(ReplyHeader? Reply, TensorPayload? Payload, string? Failure)
{
    public static TaskOutcome Failed(string reason) => new(null, null, reason);
}

/// <summary>
/// A task sent to a connected client, waiting for its reply: validates the reply header as it comes, reassembles the
/// payload from chunks, checks the values, and completes once with a reply or a reason. A reply that breaks any rule
/// is refused at once and the rest of its chunks are ignored.
/// </summary>
public sealed class PendingTask
{
    readonly TaskCompletionSource<TaskOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly UpdateExpectation _expectation;
    readonly long _maxBytes;
    ReplyHeader? _reply;
    PayloadAssembler? _assembler;

    public PendingTask(long taskId, int clientId, int round, UpdateExpectation expectation, long maxBytes)
    {
        TaskId = taskId;
        ClientId = clientId;
        Round = round;
        _expectation = expectation;
        _maxBytes = maxBytes;
    }

    public long TaskId { get; }
    public int ClientId { get; }
    public int Round { get; }

    /// <summary>Whether the task trains (its reply carries parameters) rather than evaluates.</summary>
    public bool IsTraining => _expectation.Training;

    public Task<TaskOutcome> Completion => _done.Task;

    public bool IsDone => _done.Task.IsCompleted;

    /// <summary>Ends the task with a reason (timeout, disconnection); no effect once done.</summary>
    public bool Fail(string reason) => _done.TrySetResult(TaskOutcome.Failed(reason));

    /// <summary>The reply header arrived.</summary>
    public void OnReply(ReplyHeader reply)
    {
        if (IsDone) return;
        if (_reply is not null) { Fail("a second reply header for the same task"); return; }
        string? error = UpdateValidator.CheckHeader(reply, TaskId, Round, _expectation, _maxBytes);
        if (error is null)
        {
            _assembler = PayloadAssembler.Create(reply.Tensors, _maxBytes, out error);
        }
        if (error is not null) { Fail(error); return; }
        _reply = reply;
        TryFinish();
    }

    /// <summary>A chunk of the reply's payload arrived.</summary>
    public void OnChunk(TensorChunk chunk)
    {
        if (IsDone) return;
        if (_assembler is null) { Fail("tensor bytes before the reply header"); return; }
        string? error = _assembler.Append(chunk.Offset, chunk.Data.Span);
        if (error is not null) { Fail(error); return; }
        TryFinish();
    }

    void TryFinish()
    {
        if (_assembler is null || !_assembler.IsComplete) return;
        var payload = _assembler.ToPayload();
        string? error = UpdateValidator.CheckValues(payload);
        if (error is not null) payload.Release();
        _done.TrySetResult(error is null ? new TaskOutcome(_reply, payload, null) : TaskOutcome.Failed(error));
    }
}
