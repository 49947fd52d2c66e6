using FedLmt.Grpc;
using FedLmt.Grpc.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace FedLmt.Cli.Bench;

/// <summary>
/// Many registered clients that do nothing: each has its own HTTP/2 connection and open session, as real clients
/// behind NAT do. Used to measure what idle clients cost a server.
/// </summary>
public sealed class IdleClients : IAsyncDisposable
{
    readonly List<(GrpcChannel Channel, AsyncDuplexStreamingCall<ClientMessage, ServerMessage> Call)> _clients = [];

    public int Count => _clients.Count;

    /// <summary>Connects clients 0..count-1 and waits for each one's welcome.</summary>
    public static async Task<IdleClients> ConnectAsync(ClientConnectionOptions options, int count, CancellationToken cancellation = default)
    {
        var idle = new IdleClients();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var channel = ClientChannels.Create(options);
                var call = new Federation.FederationClient(channel).Connect(ClientChannels.Authorization(options.Token), cancellationToken: cancellation);
                idle._clients.Add((channel, call));
                await call.RequestStream.WriteAsync(new ClientMessage { Register = new Register { ClientId = i, Tier = "idle" } }, cancellation).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNext(cancellation).ConfigureAwait(false) || call.ResponseStream.Current.KindCase != ServerMessage.KindOneofCase.Welcome)
                    throw new InvalidOperationException($"idle client {i} was not welcomed");
            }
            return idle;
        }
        catch
        {
            await idle.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (channel, call) in _clients)
        {
            call.Dispose();
            await channel.ShutdownAsync().ConfigureAwait(false);
            channel.Dispose();
        }
        _clients.Clear();
    }
}
