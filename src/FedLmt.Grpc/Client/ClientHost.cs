using FedLmt.Federated;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Grpc;

/// <summary>One client id a host serves: its data (read lazily by its loaders) and its tier.</summary>
public sealed record HostedClient(int Id, string Tier, IClientData Data);

/// <summary>
/// A client host: one process serving many client ids, each exactly as a separate device would (its own registration,
/// session, reconnects, kept custom parameters), over one shared channel, with at most <c>workers</c> of them training
/// at once. The server cannot tell a host's clients from devices. Ends when every one of its clients has ended.
/// </summary>
public sealed class ClientHost(IReadOnlyList<HostedClient> clients, ClientConnectionOptions options, int workers, string stateDirectory,
    ClientTrainer trainer, ILoggerFactory? loggers = null)
{
    /// <summary>A pause before each client's reply (tests and demonstrations: slow devices, a host killed mid-round).</summary>
    public TimeSpan ReplyDelay { get; init; }

    /// <summary>Serves every hosted client until each ends: the run finishes, it is refused, or cancellation.</summary>
    public async Task<ClientExit> RunAsync(CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (clients.Count == 0) throw new ArgumentException("a client host needs at least one client id");
        var factory = loggers ?? NullLoggerFactory.Instance;
        var logger = factory.CreateLogger("fedlmt.host");
        using var channel = ClientChannels.Create(options);
        using var gate = new SemaphoreSlim(workers, workers);
        string ids = Describe(clients.Select(c => c.Id));
        string name = $"{Environment.MachineName}/{Environment.ProcessId}/{ids}";
        // One trainer serves every client: it keeps no state between calls.
        var running = clients.Select(c => new FederatedClient(c.Id, c.Tier, c.Data, options, new CustomParameterStore(stateDirectory, c.Id),
            factory.CreateLogger($"fedlmt.client.{c.Id}"), trainer, channel, gate, name) { ReplyDelay = ReplyDelay }).ToList();
        logger.LogInformation("Host: serving {Count} clients ({Ids}), {Workers} training at once", clients.Count, ids, workers);
        var exits = await Task.WhenAll(running.Select(c => c.RunAsync(cancellation))).ConfigureAwait(false);
        foreach (var group in clients.Select((c, i) => (c.Id, Reason: running[i].RefusalReason)).Where(r => r.Reason is not null).GroupBy(r => r.Reason))
            logger.LogError("Host: clients {Ids} refused: {Reason}", Describe(group.Select(r => r.Id)), group.Key);
        return exits.Contains(ClientExit.Refused) ? ClientExit.Refused : exits.All(e => e == ClientExit.Finished) ? ClientExit.Finished : ClientExit.Cancelled;
    }

    /// <summary>Ids as ranges: 0-249, 300.</summary>
    public static string Describe(IEnumerable<int> ids)
    {
        var sorted = ids.Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }
}
