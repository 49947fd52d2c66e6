using Grpc.Core;
using Grpc.Core.Interceptors;

namespace FedLmt.Grpc;

/// <summary>Refuses every call without an accepted "authorization: Bearer TOKEN" header; records which client the token admits.</summary>
public sealed class BearerTokenInterceptor(BearerTokens tokens, RefusalLog refusals) : Interceptor
{
    /// <summary>The key under which the clients a call's token admits (a <see cref="TokenScope"/>; absent: any client) are kept in ServerCallContext.UserState.</summary>
    public const string ClientIdKey = "fedlmt.token-client";

    void Authenticate(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            || !tokens.Accepts(header[scheme.Length..].Trim(), out TokenScope? scope))
        {
            refusals.Refused("Refused {Method} from {Peer}: {Why}", context.Method, context.Peer, header is null ? "no bearer token" : "wrong bearer token");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid bearer token is required"));
        }
        if (scope is { } admitted) context.UserState[ClientIdKey] = admitted;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }
}
