using System.Collections.Concurrent;
using FedLmt.Grpc.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc.Tests;

/// <summary>A token holder (or anyone) flooding the server: refusals are logged within a bound, silent calls are capped.</summary>
public class RefusalFloodTests
{
    [Fact]
    public void The_first_ten_refusals_of_a_minute_are_logged_the_rest_counted_and_summed_up_later()
    {
        var lines = new ConcurrentQueue<string>();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new QueueLoggerProvider(lines)));
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var log = new RefusalLog(factory.CreateLogger<RefusalLog>(), () => now);

        for (int i = 0; i < 25; i++) log.Refused("Refused call {N}", i);
        Assert.Equal(11, lines.Count); // 10 refusals and the line saying the rest are counted
        Assert.Equal("Refused call 9", lines.ElementAt(9));
        Assert.Contains("counted, not logged", lines.Last());

        now = now.AddSeconds(61);
        log.Refused("Refused call {N}", 25);
        Assert.Equal("15 more refusals in the last minute were counted, not logged", lines.ElementAt(11));
        Assert.Equal("Refused call 25", lines.ElementAt(12));
    }

    [Fact]
    public async Task A_flood_of_bad_tokens_writes_a_bounded_number_of_log_lines()
    {
        await using var server = await TestServer.StartAsync(captureLogs: true);
        for (int i = 0; i < 100; i++)
            await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection($"bad-token-{i:D4}-0123456789"), 0));
        var refusals = server.Logs.Where(l => l.Contains("bearer token") || l.Contains("refusals")).ToList();
        Assert.InRange(refusals.Count, RefusalLog.PerWindow, RefusalLog.PerWindow + 1); // was 100 before
        Assert.Equal(0, server.Registry.Count);
    }

    [Fact]
    public async Task Calls_that_never_register_are_capped_and_a_real_client_gets_in_once_one_leaves()
    {
        await using var server = await TestServer.StartAsync(maxUnregisteredCalls: 2);
        var silent = new List<(GrpcChannel, AsyncDuplexStreamingCall<ClientMessage, ServerMessage>)>();
        for (int i = 0; i < 2; i++)
        {
            var channel = ClientChannels.Create(server.Connection());
            var call = new Federation.FederationClient(channel).Connect(ClientChannels.Authorization(TestServer.Token));
            silent.Add((channel, call));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (server.Host.Gate.Waiting < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(2, server.Host.Gate.Waiting);

        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection(), 0));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);

        // One silent call goes away: its place is free again and a real client registers.
        silent[0].Item2.Dispose();
        silent[0].Item1.Dispose();
        deadline = DateTime.UtcNow.AddSeconds(20);
        while (server.Host.Gate.Waiting > 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await using var client = await RawClient.ConnectAsync(server.Connection(), 0);
        Assert.NotNull(client.Welcome);
        silent[1].Item2.Dispose();
        silent[1].Item1.Dispose();
    }
}
