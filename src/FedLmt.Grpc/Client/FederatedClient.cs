using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Grpc;

/// <summary>Where a client connects and how it proves who it is.</summary>
public sealed record ClientConnectionOptions
{
    public required Uri Server { get; init; }

    public required string Token { get; init; }

    /// <summary>PEM CA file the server's certificate must chain to; null: the system's trust store.</summary>
    public string? CaPath { get; init; }

    /// <summary>PEM client certificate and key, for a server that requires them.</summary>
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(0.5);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the bearer token may be sent over cleartext http (off: an http server URL is refused).</summary>
    public bool AllowCleartext { get; init; }

    /// <summary>Refuses an http server URL unless cleartext was allowed: the token would cross the network in clear.</summary>
    public ClientConnectionOptions Validate()
    {
        if (Server.Scheme != Uri.UriSchemeHttps && !AllowCleartext)
            throw new ArgumentException($"--server {Server}: the bearer token would be sent in clear over {Server.Scheme}; use https (with --certs), or --insecure to allow it on a network you trust");
        return this;
    }
}

/// <summary>How a client's run ended.</summary>
public enum ClientExit
{
    /// <summary>The server finished the run.</summary>
    Finished,

    /// <summary>The server refused the client (token, registration); retrying would not help.</summary>
    Refused,

    /// <summary>Stopped from this side.</summary>
    Cancelled,
}

/// <summary>
/// A deployed client: opens the call to the server (so it works behind NAT), registers, runs the tasks the server
/// pushes with the same <see cref="ClientTrainer"/> a simulation uses, and reconnects with exponential backoff
/// whenever the connection drops. A pFedLMT client keeps its custom parameters in a <see cref="CustomParameterStore"/>.
/// </summary>
/// <remarks>
/// On a client host (<see cref="ClientHost"/>) many of them share one <paramref name="channel"/> (its HTTP/2
/// connections carry one call per client) and a <paramref name="workers"/> gate that bounds how many train at once;
/// alone, a client opens its own channel per connection and trains inline.
/// </remarks>
public sealed class FederatedClient(int clientId, string tier, IClientData data, ClientConnectionOptions options,
    CustomParameterStore? store = null, ILogger? logger = null, ClientTrainer? trainer = null, GrpcChannel? channel = null,
    SemaphoreSlim? workers = null, string? host = null)
{
    readonly ILogger _logger = logger ?? NullLogger.Instance;
    readonly ClientTrainer _trainer = trainer ?? new ClientTrainer();

    /// <summary>A pause before each reply (testing and demonstrations: a slow device, a straggler).</summary>
    public TimeSpan ReplyDelay { get; init; }

    /// <summary>Why the server last refused this client (set when <see cref="RunAsync"/> returns <see cref="ClientExit.Refused"/>).</summary>
    public string? RefusalReason { get; private set; }

    /// <summary>Tasks this client has completed (trained or evaluated) since it started.</summary>
    public int TasksDone { get; private set; }

    /// <summary>Tasks for which the server left out the custom parameters and this client used its kept ones.</summary>
    public int KeptParametersUsed { get; private set; }

    /// <summary>Connects and serves tasks until the run finishes, the server refuses the client, or cancellation.</summary>
    public async Task<ClientExit> RunAsync(CancellationToken cancellation = default)
    {
        int attempt = 0, handshakeFailures = 0;
        while (!cancellation.IsCancellationRequested)
        {
            bool registered = false;
            try
            {
                var exit = await SessionAsync(() => registered = true, cancellation).ConfigureAwait(false);
                if (exit is ClientExit e) return e;
                _logger.LogWarning("Client {Client}: the server closed the connection; reconnecting", clientId);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.FailedPrecondition)
            {
                RefusalReason = $"{e.StatusCode}: {e.Status.Detail}";
                _logger.LogError("Client {Client}: refused by the server: {Reason}", clientId, RefusalReason);
                return ClientExit.Refused;
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && e is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                _logger.LogWarning("Client {Client}: connection to {Server} failed: {Error}", clientId, options.Server, Describe(e));
                handshakeFailures = !registered && IsHandshakeFailure(e) ? handshakeFailures + 1 : 0;
                if (handshakeFailures >= HandshakeAttempts)
                {
                    RefusalReason = $"{HandshakeAttempts} connections to {options.Server} failed in the handshake (last: {Describe(e)}). Probably: " +
                        "the server speaks https but the URL says http (or the other way round); the server requires a client certificate " +
                        "(--certs with this client's bundle, or --cert/--key), or refused the one given (another CA's, or not a client certificate); " +
                        "or the server's certificate does not chain to --ca";
                    _logger.LogError("Client {Client}: giving up: {Reason}", clientId, RefusalReason);
                    return ClientExit.Refused;
                }
            }
            catch (Exception) when (cancellation.IsCancellationRequested)
            {
                break; // stopped from this side; the call ends with whatever cancellation threw
            }
            if (registered) attempt = 0;
            var delay = Backoff(attempt++);
            _logger.LogInformation("Client {Client}: reconnecting in {Delay:0.0} s", clientId, delay.TotalSeconds);
            try { await Task.Delay(delay, cancellation).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        return ClientExit.Cancelled;
    }

    TimeSpan Backoff(int attempt)
    {
        double ceiling = Math.Min(options.MaxBackoff.TotalSeconds, options.InitialBackoff.TotalSeconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + 0.5 * Random.Shared.NextDouble())); // jitter: clients of a restarted server do not return in lockstep
    }

    /// <summary>Consecutive handshake failures after which a client stops and says what is probably misconfigured.</summary>
    public int HandshakeAttempts { get; init; } = 5;

    /// <summary>
    /// A failure of TLS or of the HTTP/2 handshake - a misconfiguration that retrying does not cure - as opposed to a
    /// server that is not there (connection refused, unreachable: it may be restarting, so the client keeps trying).
    /// </summary>
    static bool IsHandshakeFailure(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException) return false;
            if (x is System.Security.Authentication.AuthenticationException or HttpProtocolException) return true;
            if (x.Message.Contains("HTTP/2", StringComparison.Ordinal) || x.Message.Contains("SSL", StringComparison.Ordinal)
                || x.Message.Contains("response ended prematurely", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    static string Describe(Exception e) => e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : $"{e.GetType().Name}: {e.Message}";

    /// <summary>One connection; null when it ended without the run ending (reconnect).</summary>
    async Task<ClientExit?> SessionAsync(Action onRegistered, CancellationToken cancellation)
    {
        using var own = channel is null ? ClientChannels.Create(options) : null;
        var client = new Federation.FederationClient(channel ?? own!);
        using var call = client.Connect(ClientChannels.Authorization(options.Token), cancellationToken: cancellation);
        await call.RequestStream.WriteAsync(new ClientMessage
        {
            Register = new Register
            {
                ClientId = clientId,
                TrainExamples = data.TrainCount,
                TestExamples = data.TestCount,
                Tier = tier,
                CustomDigest = Google.Protobuf.ByteString.CopyFrom(store?.Digest ?? []),
                Host = host ?? "",
            },
        }, cancellation).ConfigureAwait(false);

        TaskHeader? task = null;
        PayloadAssembler? assembler = null;
        while (await call.ResponseStream.MoveNext(cancellation).ConfigureAwait(false))
        {
            var message = call.ResponseStream.Current;
            switch (message.KindCase)
            {
                case ServerMessage.KindOneofCase.Welcome:
                    onRegistered();
                    var w = message.Welcome;
                    _logger.LogInformation("Client {Client}: registered with run {Run} ({Algorithm}, {Done} of {Rounds} rounds done); trains {Model}",
                        clientId, w.RunName, w.Algorithm, w.CompletedRounds, w.TotalRounds, WireRecords.FromWire(w.Model));
                    break;
                case ServerMessage.KindOneofCase.Task:
                    task = message.Task;
                    var sent = task.OwnedOmitted ? task.Tensors.Where(h => !task.ClientOwned.Contains(h.Name)).ToList() : task.Tensors.ToList();
                    assembler = PayloadAssembler.Create(sent, long.MaxValue, out string? error);
                    if (assembler is null)
                    {
                        await FailAsync(call, task, error!, cancellation).ConfigureAwait(false);
                        task = null;
                    }
                    break;
                case ServerMessage.KindOneofCase.Chunk when task is not null && assembler is not null && message.Chunk.TaskId == task.TaskId:
                    if (assembler.Append(message.Chunk.Offset, message.Chunk.Data.Span) is { } chunkError)
                    {
                        await FailAsync(call, task, chunkError, cancellation).ConfigureAwait(false);
                        task = null;
                    }
                    break;
                case ServerMessage.KindOneofCase.Outcome:
                    var o = message.Outcome;
                    if (o.Accepted && store?.Commit(o.TaskId) == true)
                        _logger.LogInformation("Client {Client}: round {Round} accepted; custom parameters kept in {Path}", clientId, o.Round + 1, store.FilePath);
                    else if (!o.Accepted)
                    {
                        store?.Drop(o.TaskId);
                        _logger.LogWarning("Client {Client}: round {Round} update not aggregated: {Reason}", clientId, o.Round + 1, o.Reason);
                    }
                    break;
                case ServerMessage.KindOneofCase.Finished:
                    _logger.LogInformation("Client {Client}: the run is finished after {Rounds} rounds", clientId, message.Finished.CompletedRounds);
                    await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    return ClientExit.Finished;
            }
            if (task is not null && assembler is { IsComplete: true })
            {
                var received = assembler.ToPayload();
                var current = task;
                var (reply, payload, failure) = workers is null ? RunTask(current, received) : await OnWorkerAsync(() => RunTask(current, received), cancellation).ConfigureAwait(false);
                received.Release(); // built into tensors: the next task's bytes reuse its arrays
                var done = task;
                task = null;
                assembler = null;
                if (failure is not null)
                {
                    await FailAsync(call, done, failure, cancellation).ConfigureAwait(false);
                    continue;
                }
                if (ReplyDelay > TimeSpan.Zero) await Task.Delay(ReplyDelay, cancellation).ConfigureAwait(false);
                await call.RequestStream.WriteAsync(new ClientMessage { Reply = reply }, cancellation).ConfigureAwait(false);
                try
                {
                    foreach (var chunk in payload!.Chunks(done.TaskId)) // each is serialized by the time its write completes
                        await call.RequestStream.WriteAsync(new ClientMessage { Chunk = chunk }, cancellation).ConfigureAwait(false);
                }
                finally
                {
                    payload!.Release();
                }
                TasksDone++;
            }
        }
        return null;
    }

    /// <summary>Runs tensor work on a pool thread once the host's gate lets it (at most --workers at once).</summary>
    async Task<T> OnWorkerAsync<T>(Func<T> work, CancellationToken cancellation)
    {
        await workers!.WaitAsync(cancellation).ConfigureAwait(false);
        try { return await Task.Run(work, cancellation).ConfigureAwait(false); }
        finally { workers.Release(); }
    }

    async Task FailAsync(AsyncDuplexStreamingCall<ClientMessage, ServerMessage> call, TaskHeader task, string reason, CancellationToken cancellation)
    {
        _logger.LogWarning("Client {Client}: task of round {Round} failed: {Reason}", clientId, task.Round + 1, reason);
        await call.RequestStream.WriteAsync(new ClientMessage { Failed = new TaskFailed { TaskId = task.TaskId, Reason = reason } }, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Trains or evaluates (synchronous: every tensor is built, used and disposed here, none crosses an await).
    /// Returns the reply and its payload, or the reason the task failed.
    /// </summary>
    (ReplyHeader? Reply, TensorPayload? Payload, string? Failure) RunTask(TaskHeader task, TensorPayload received)
    {
        try
        {
            var payload = WithKeptParameters(task, received);
            if (task.WorkCase == TaskHeader.WorkOneofCase.Evaluate)
            {
                using var evaluation = WireRecords.ToEvaluateInstruction(task, payload.ToTensors());
                var result = _trainer.Evaluate(evaluation, data);
                var header = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = result.NumExamples };
                foreach (var (k, v) in result.Metrics) header.Metrics[k] = v;
                _logger.LogInformation("Client {Client}: evaluated round {Round}: accuracy {Accuracy:P2}", clientId, task.Round + 1,
                    result.Metrics.GetValueOrDefault(MetricNames.TestAccuracy, double.NaN));
                return (header, TensorPayload.Empty, null);
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var instruction = WireRecords.ToTrainInstruction(task, payload.ToTensors());
            using var trained = _trainer.Train(instruction, data);
            var update = TensorPayload.FromTensors(trained.Parameters, SegmentPool.Shared); // released once sent
            var reply = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = trained.NumExamples };
            foreach (var (k, v) in trained.Metrics) reply.Metrics[k] = v;
            reply.Tensors.AddRange(update.Headers);
            if (store is not null && task.ClientOwned.Count > 0)
            {
                var owned = task.ClientOwned.ToHashSet(StringComparer.Ordinal);
                var keep = Enumerable.Range(0, update.Headers.Count).Where(i => owned.Contains(update.Headers[i].Name)).ToList();
                store.HoldPending(task.TaskId, task.Round, new TensorPayload(keep.Select(i => update.Headers[i]).ToList(), keep.Select(i => update.Segments[i]).ToList()));
            }
            _logger.LogInformation("Client {Client}: trained round {Round} in {Seconds:F3} s: loss {Loss:F4} over {Examples} examples", clientId, task.Round + 1,
                watch.Elapsed.TotalSeconds, trained.Metrics.GetValueOrDefault(MetricNames.TrainLoss, double.NaN), trained.NumExamples);
            return (reply, update, null);
        }
        catch (Exception e) // a task that cannot run is reported to the server, the session goes on
        {
            return (null, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The task's full payload: what came over the wire plus, when the server left them out, this client's kept custom parameters.</summary>
    TensorPayload WithKeptParameters(TaskHeader task, TensorPayload received)
    {
        if (!task.OwnedOmitted) return received;
        var kept = store?.Kept ?? throw new InvalidOperationException("the server left out custom parameters this client does not keep");
        var byName = new Dictionary<string, (TensorHeader Header, byte[] Bytes)>(StringComparer.Ordinal);
        for (int i = 0; i < received.Headers.Count; i++) byName[received.Headers[i].Name] = (received.Headers[i], received.Segments[i]);
        for (int i = 0; i < kept.Headers.Count; i++) byName[kept.Headers[i].Name] = (kept.Headers[i], kept.Segments[i]);
        var headers = new List<TensorHeader>();
        var segments = new List<byte[]>();
        foreach (var h in task.Tensors)
        {
            if (!byName.TryGetValue(h.Name, out var entry) || !entry.Header.Equals(h))
                throw new InvalidOperationException($"the kept custom parameters lack '{h.Name}' as the task describes it");
            headers.Add(h);
            segments.Add(entry.Bytes);
        }
        KeptParametersUsed++;
        _logger.LogInformation("Client {Client}: round {Round} uses its kept custom parameters ({Count} tensors from round {Kept})",
            clientId, task.Round + 1, kept.Headers.Count, store!.KeptRound + 1);
        return new TensorPayload(headers, segments);
    }
}
