using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace FedLmt.Grpc;

/// <summary>
/// The deployment transport: delivers instructions to connected clients over their open gRPC calls and waits for the
/// replies up to the round timeout. A client that is not connected, vanishes, times out, reports an error or sends
/// an update that fails validation becomes a <see cref="ClientFailure"/> with the reason, logged; the others go on.
/// </summary>
/// <remarks>
/// Synchronous like every grid: it runs on the server's round thread, which is where tensors are read and built;
/// the network side only ever sees managed bytes (<see cref="TensorPayload"/>).
/// </remarks>
public sealed class GrpcGrid : IClientGrid
{
    readonly ClientRegistry _registry;
    readonly ILogger _logger;
    readonly List<(ClientSession Session, PendingTask Task, byte[]? OwnedDigest)> _lastTrain = [];
    long _nextTaskId = DateTime.UtcNow.Ticks; // distinct from the task ids of an earlier server process

    public GrpcGrid(ClientRegistry registry, ILogger? logger = null)
    {
        _registry = registry;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How long a round waits for replies; a client that has not answered by then is a straggler and fails.</summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest update accepted from one client.</summary>
    public long MaxUpdateBytes { get; set; } = 4L << 30;

    /// <summary>
    /// Which state entries clients own and keep on their disks (pFedLMT's custom parameters after the meta round);
    /// null: none. Such entries are not sent to a client whose kept copy is the one the strategy would send.
    /// </summary>
    public Func<string, bool>? ClientOwned { get; set; }

    public GridResult<TrainReply> Train(IReadOnlyList<TrainInstruction> instructions)
    {
        _lastTrain.Clear();
        var cache = new PayloadCache();
        var started = new List<(TrainInstruction Instruction, ClientSession Session, PendingTask Task)>();
        var failures = new List<ClientFailure>();
        foreach (var instruction in instructions)
        {
            var session = _registry.Get(instruction.ClientId);
            if (session is null)
            {
                failures.Add(Failure(instruction.ClientId, instruction.Round, "not connected"));
                continue;
            }
            var payload = cache.Of(instruction.Parameters);
            var expectation = new UpdateExpectation(true, payload.Headers.ToDictionary(h => h.Name, h => (h.Dtype, h.Shape.ToArray()), StringComparer.Ordinal),
                session.TrainExamples);
            long id = Interlocked.Increment(ref _nextTaskId);
            var header = WireRecords.TrainTask(id, instruction, payload.Headers);
            var task = new PendingTask(id, session.ClientId, instruction.Round, expectation, MaxUpdateBytes);
            Start(session, task, header, payload);
            started.Add((instruction, session, task));
        }

        var outcomes = Await(started.Select(s => s.Task).ToList());
        var replies = new List<TrainReply>();
        foreach (var (instruction, session, task) in started)
        {
            var outcome = outcomes[task];
            if (outcome.Failure is not null)
            {
                failures.Add(Failure(task.ClientId, task.Round, outcome.Failure));
                // Tell the device why (a closed session takes nothing): it drops what it held back for this task.
                session.Send(new ServerMessage
                {
                    Outcome = new UpdateOutcome { TaskId = task.TaskId, Round = task.Round, Accepted = false, Reason = $"refused: {outcome.Failure}" },
                });
                continue;
            }
            // The work metrics come from the server's own count, not the device's word.
            var metrics = new Dictionary<string, double>(outcome.Reply!.Metrics, StringComparer.Ordinal);
            foreach (var (name, value) in ClientTrainer.WorkOf(instruction, outcome.Reply.NumExamples)) metrics[name] = value;
            replies.Add(new TrainReply(task.ClientId, outcome.Payload!.ToTensors(), outcome.Reply.NumExamples, metrics));
            var owned = Owned;
            byte[]? digest = instruction.Parameters.Names.Any(owned) ? outcome.Payload.Digest(owned) : null;
            outcome.Payload.Release(); // consumed: the next round's updates reuse its arrays
            _lastTrain.Add((session, task, digest));
        }
        return new GridResult<TrainReply>(replies, failures);
    }

    public GridResult<EvaluateReply> Evaluate(IReadOnlyList<EvaluateInstruction> instructions)
    {
        var cache = new PayloadCache();
        var started = new List<PendingTask>();
        var failures = new List<ClientFailure>();
        foreach (var instruction in instructions)
        {
            var session = _registry.Get(instruction.ClientId);
            if (session is null)
            {
                failures.Add(Failure(instruction.ClientId, instruction.Round, "not connected (evaluation)"));
                continue;
            }
            var payload = cache.Of(instruction.Parameters);
            long id = Interlocked.Increment(ref _nextTaskId);
            var task = new PendingTask(id, session.ClientId, instruction.Round, UpdateExpectation.Evaluation(session.TestExamples), 0);
            Start(session, task, WireRecords.EvaluateTask(id, instruction, payload.Headers), payload);
            started.Add(task);
        }
        var outcomes = Await(started);
        var replies = new List<EvaluateReply>();
        foreach (var task in started)
        {
            var outcome = outcomes[task];
            if (outcome.Failure is not null) failures.Add(Failure(task.ClientId, task.Round, outcome.Failure));
            else replies.Add(new EvaluateReply(task.ClientId, outcome.Reply!.NumExamples, new Dictionary<string, double>(outcome.Reply.Metrics, StringComparer.Ordinal)));
        }
        return new GridResult<EvaluateReply>(replies, failures);
    }

    /// <summary>
    /// Tells the clients of the last training round whether their update went into the aggregate (call after the
    /// round's checkpoint is written: an accepted client then commits its kept custom parameters).
    /// </summary>
    public void PublishOutcomes(int round, bool aggregated, string? reason = null)
    {
        foreach (var (session, task, digest) in _lastTrain)
        {
            session.Send(new ServerMessage
            {
                Outcome = new UpdateOutcome { TaskId = task.TaskId, Round = round, Accepted = aggregated, Reason = aggregated ? "" : reason ?? "not aggregated" },
            });
            if (aggregated && digest is not null) session.CustomDigest = digest;
        }
        _lastTrain.Clear();
    }

    Func<string, bool> Owned => ClientOwned ?? (_ => false);

    /// <summary>Queues a task; the client's owned entries stay home when its kept copy has the digest of what would be sent.</summary>
    void Start(ClientSession session, PendingTask task, TaskHeader header, TensorPayload payload)
    {
        var owned = Owned;
        var ownedNames = payload.Headers.Select(h => h.Name).Where(owned).ToList();
        if (ownedNames.Count > 0)
        {
            header.ClientOwned.AddRange(ownedNames);
            if (session.CustomDigest.Length > 0 && session.CustomDigest.AsSpan().SequenceEqual(payload.Digest(owned)))
            {
                header.OwnedOmitted = true;
                var kept = Enumerable.Range(0, payload.Headers.Count).Where(i => !owned(payload.Headers[i].Name)).ToList();
                payload = new TensorPayload(kept.Select(i => payload.Headers[i]).ToList(), kept.Select(i => payload.Segments[i]).ToList());
            }
        }
        session.Start(task, header, payload.Chunks(task.TaskId));
    }

    Dictionary<PendingTask, TaskOutcome> Await(IReadOnlyList<PendingTask> tasks)
    {
        if (tasks.Count > 0 && !Task.WhenAll(tasks.Select(t => t.Completion)).Wait(RoundTimeout))
            foreach (var t in tasks)
                if (t.Fail($"no reply within the round timeout of {RoundTimeout.TotalSeconds:0.#} s (straggler)"))
                    _registry.Get(t.ClientId)?.DropIfUndrained("after its task timed out"); // its unread chunks go with it
        return tasks.ToDictionary(t => t, t => t.Completion.Result);
    }

    ClientFailure Failure(int client, int round, string reason)
    {
        _logger.LogWarning("Round {Round}: client {Client} dropped: {Reason}", round + 1, client, reason);
        return new ClientFailure(client, reason);
    }

    /// <summary>
    /// The bytes of each distinct tensor list once per round: FedAvg sends every client the same global tensors, so
    /// they are copied out of libtorch once, however many clients receive them.
    /// </summary>
    sealed class PayloadCache
    {
        readonly Dictionary<IntPtr, (TensorHeader Header, byte[] Bytes)> _tensors = [];

        public TensorPayload Of(NamedTensors parameters)
        {
            var headers = new List<TensorHeader>(parameters.Count);
            var segments = new List<byte[]>(parameters.Count);
            foreach (var (name, tensor) in parameters)
            {
                if (!_tensors.TryGetValue(tensor.Handle, out var entry) || entry.Header.Name != name)
                {
                    var single = TensorPayload.FromTensors([KeyValuePair.Create(name, tensor)]);
                    entry = (single.Headers[0], single.Segments[0]);
                    _tensors[tensor.Handle] = entry;
                }
                headers.Add(entry.Header);
                segments.Add(entry.Bytes);
            }
            return new TensorPayload(headers, segments);
        }
    }
}
