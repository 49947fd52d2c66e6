using FedLmt.Federated;
using FedLmt.Runs;

namespace FedLmt.Grpc.Tests;

/// <summary>pFedLMT deployed: clients keep their custom parameters on their own disks, and a restarted client keeps its personalization.</summary>
public class PersonalizationTests
{
    const string Config = """
        name: personal
        seed: 3
        algorithm: pfedlmt
        model: { architecture: mlp, width_multiplier: 0.25 }
        federated: { num_clients: 2, fraction: 1.0, rounds: 4 }
        tiers:
          - { name: a, share: 0.5 }
          - { name: b, share: 0.5 }
        pfedlmt: { tier_ratios: { a: 0.5, b: 0.25 }, meta_round: 1 }
        lr: { initial: 0.05, final: 0.001 }
        local: { batch_size: 64 }
        evaluation: { every: 4 }
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_restarted_client_trains_on_with_the_custom_parameters_it_kept_and_the_run_matches_the_simulation()
    {
        using var dir = new TempDirectory();
        var config = ConfigLoader.Parse(Config);
        var runner = new DeploymentRunner(config, Path.Combine(dir.Path, "deployed"),
            new DeploymentOptions { MinClients = 2, MinReplies = 2, RoundTimeout = TimeSpan.FromSeconds(60) });
        var (host, connection) = await InProcessDeployment.StartAsync(runner, dir.Path, clients: 2);
        await using var _ = host;
        FederatedClient ClientOf(int id) => new(id, runner.Setup.Population.TierOf(id).Name, runner.Setup.Clients[id], connection,
            new CustomParameterStore(Path.Combine(dir.Path, $"client-{id}"), id));

        var run = Task.Factory.StartNew(() => runner.Run(), TaskCreationOptions.LongRunning);
        var one = ClientOf(1).RunAsync();
        using var stopZero = new CancellationTokenSource();
        // Client 0 holds each reply back a little, so it is stopped before its next update can be aggregated: the
        // server's copy of its custom parameters then is the one it kept.
        var zero = new FederatedClient(0, runner.Setup.Population.TierOf(0).Name, runner.Setup.Clients[0], connection,
            new CustomParameterStore(Path.Combine(dir.Path, "client-0"), 0)) { ReplyDelay = TimeSpan.FromSeconds(1.5) };
        var zeroRun = zero.RunAsync(stopZero.Token);

        // After round 2 (the first personalized round) client 0 has its custom parameters on disk; then it stops.
        var store = new Func<CustomParameterStore>(() => new CustomParameterStore(Path.Combine(dir.Path, "client-0"), 0));
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (store().KeptRound < 1 && DateTime.UtcNow < deadline && !run.IsCompleted) await Task.Delay(50);
        Assert.True(store().KeptRound >= 1, "client 0 kept no custom parameters");
        stopZero.Cancel();
        Assert.Equal(ClientExit.Cancelled, await zeroRun.WaitAsync(TimeSpan.FromSeconds(30)));

        // A new client 0 process would find the same folder: it registers with the kept parameters' digest.
        var restarted = ClientOf(0);
        var restartedRun = restarted.RunAsync();
        var summary = await run.WaitAsync(TimeSpan.FromSeconds(180));
        Assert.Equal(ClientExit.Finished, await restartedRun.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ClientExit.Finished, await one.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(4, summary.RoundsCompleted);
        Assert.True(restarted.KeptParametersUsed > 0, "the server sent client 0's custom parameters although the client kept them");

        var simulated = Path.Combine(dir.Path, "simulated");
        new SimulationRunner(config, simulated).Run();
        using var a = CheckpointStore.Load(Path.Combine(simulated, "checkpoint.bin"));
        using var b = CheckpointStore.Load(runner.CheckpointPath);
        AssertClose(a.Global, b.Global, "common");
        foreach (int client in new[] { 0, 1 }) AssertClose(a.PerClient[client], b.PerClient[client], $"client {client}'s custom");
        // What client 0 keeps on its disk is what the server holds for it.
        var kept = store().Kept!;
        var server = TensorPayload.FromTensors(b.PerClient[0]);
        Assert.Equal(server.Digest(_ => true), kept.Digest(_ => true));
    }

    static void AssertClose(NamedTensors expected, NamedTensors actual, string what)
    {
        Assert.Equal(expected.Names.Order(), actual.Names.Order());
        foreach (var name in expected.Names)
        {
            double diff = (expected[name] - actual[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{what} '{name}' differs by {diff}");
        }
    }
}
