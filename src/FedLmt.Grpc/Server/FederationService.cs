using FedLmt.Grpc.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc;

/// <summary>
/// The server end of the protocol (Proto/fedlmt.proto): admits a client's registration, then keeps its call open,
/// writing what the grid queues for it and routing what it sends to its pending tasks. A client that misbehaves or
/// vanishes ends only its own session.
/// </summary>
public sealed class FederationService(ClientRegistry registry, IAdmission admission, RegistrationGate gate, RefusalLog refusals,
    ILogger<FederationService> logger) : Federation.FederationBase
{
    /// <summary>How long a registration waits for a live session of the same id to end before it is refused.</summary>
    public static TimeSpan DuplicateGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a new call may take to register.</summary>
    public static TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public override async Task Connect(IAsyncStreamReader<ClientMessage> requestStream, IServerStreamWriter<ServerMessage> responseStream,
        ServerCallContext context)
    {
        if (!gate.TryEnter())
        {
            refusals.Refused("Refused a call from {Peer}: {Limit} calls are already waiting to register", context.Peer, gate.Limit);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many connections waiting to register; retry later"));
        }
        Register registration;
        try { registration = await ReadRegistrationAsync(requestStream, context).ConfigureAwait(false); }
        finally { gate.Leave(); }
        var session = new ClientSession(registration, context.Peer);
        if (await registry.TryAddAsync(session, DuplicateGrace).ConfigureAwait(false) is { } live)
        {
            refusals.Refused("Refused client {Client} from {Peer}: it is connected already from {Live}", registration.ClientId, context.Peer, live.Peer);
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"client {registration.ClientId} is connected already (from {live.Peer}); one process per client id"));
        }
        logger.LogInformation("Client {Client} connected from {Peer} ({Examples} training examples, tier {Tier}); {Count} connected",
            session.ClientId, context.Peer, session.TrainExamples, session.Tier, registry.Count);
        session.Send(new ServerMessage { Welcome = admission.WelcomeFor(registration) });
        if (admission.Finished is { } finished) session.Send(new ServerMessage { Finished = finished });

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Closed);
        var writer = WriteAsync(session, responseStream, ended.Token);
        string reason = "closed its connection";
        try
        {
            while (await requestStream.MoveNext(ended.Token).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                if (!session.Receive(message))
                    logger.LogDebug("Client {Client}: ignored a {Kind} for no pending task (a straggler's late reply?)", session.ClientId, message.KindCase);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            reason = session.Closed.IsCancellationRequested ? session.CloseReason ?? "closed by the server" : $"connection lost ({e.GetType().Name}: {e.Message})";
        }
        finally
        {
            registry.Remove(session);
            session.Close($"client {session.ClientId} disconnected: {reason}");
            // After the run finished, clients leaving is the expected end, not a warning.
            logger.Log(admission.Finished is null ? LogLevel.Warning : LogLevel.Information, "Client {Client} {Reason}; {Count} connected",
                session.ClientId, reason, registry.Count);
        }
        try { await writer.ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException) { }
    }

    async Task<Register> ReadRegistrationAsync(IAsyncStreamReader<ClientMessage> requestStream, ServerCallContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(RegistrationTimeout);
        bool any;
        try { any = await requestStream.MoveNext(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { throw new RpcException(new Status(StatusCode.DeadlineExceeded, "no registration in time")); }
        if (!any || requestStream.Current.KindCase != ClientMessage.KindOneofCase.Register)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a session must be a registration"));
        var registration = requestStream.Current.Register;
        if (context.UserState.TryGetValue(BearerTokenInterceptor.ClientIdKey, out var bound) && bound is TokenScope scope && !scope.Admits(registration.ClientId))
        {
            refusals.Refused("Refused client {Client} from {Peer}: its token admits {Scope}", registration.ClientId, context.Peer, scope);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this token is not client {registration.ClientId}'s (it admits {scope})"));
        }
        if (context.GetHttpContext().Connection.ClientCertificate is { } certificate && ClientIdentity.IdOf(certificate) != registration.ClientId)
        {
            refusals.Refused("Refused client {Client} from {Peer}: its certificate names {Subject}", registration.ClientId, context.Peer, certificate.Subject);
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"this client certificate ({certificate.Subject}) is not client {registration.ClientId}'s"));
        }
        if (admission.Refuse(registration) is { } refusal)
        {
            refusals.Refused("Refused client {Client} from {Peer}: {Reason}", registration.ClientId, context.Peer, refusal);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refusal));
        }
        return registration;
    }

    static async Task WriteAsync(ClientSession session, IServerStreamWriter<ServerMessage> stream, CancellationToken cancellation)
    {
        await foreach (var message in session.Outbox.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            await stream.WriteAsync(message, cancellation).ConfigureAwait(false);
            session.Sent(message);
        }
    }
}
