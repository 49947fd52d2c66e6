using System.Text.Json;
using FedLmt.Cli.Commands;
using FedLmt.Federated;
using FedLmt.Reporting;
using FedLmt.Runs;

namespace FedLmt.Grpc.Tests;

/// <summary>`fedlmt server` and `fedlmt client` as real processes on loopback, over TLS with bearer tokens.</summary>
public class DeploymentProcessTests : IDisposable
{
    readonly TempDirectory _dir = new();
    readonly List<FedlmtProcess> _processes = [];

    public DeploymentProcessTests()
    {
        // As a user sets it up: `fedlmt certs --clients 4`; the server reads the folder's tokens.txt, each client its own bundle.
        DevelopmentCertificates.Create(Certs, clients: 4);
    }

    string Certs => Path.Combine(_dir.Path, "certs");

    /// <summary>The small preset (configs/small.yaml) as a file, as a user would copy it next to server and clients.</summary>
    string WriteConfig()
    {
        string path = Path.Combine(_dir.Path, "run.yaml");
        File.WriteAllText(path, Presets.Read("small"));
        return path;
    }

    FedlmtProcess Start(string name, params string[] args)
    {
        var p = new FedlmtProcess(name, _dir.Path, args);
        _processes.Add(p);
        return p;
    }

    /// <summary>A server on <paramref name="config"/>: a YAML file, or "preset:NAME".</summary>
    FedlmtProcess StartServer(string config, string outDir, params string[] extra) =>
        Start("server", ["server", .. ConfigArgs(config), "--out", outDir, "--certs", Certs,
            .. extra.Contains("--urls") ? extra : [.. extra, "--urls", "https://127.0.0.1:0"]]);

    static string UrlOf(FedlmtProcess server) => server.WaitFor(@"listening on (https://127\.0\.0\.1:\d+)").Groups[1].Value;

    FedlmtProcess StartClient(string url, int id, string config, params string[] extra) =>
        Start($"client {id}", ["client", "--server", url, "--id", id.ToString(), .. ConfigArgs(config), "--certs", DevelopmentCertificates.BundleDirectory(Certs, id),
            "--state", Path.Combine(_dir.Path, $"client-{id}"), "--max-backoff", "1", .. extra]);

    static string[] ConfigArgs(string config) => config.StartsWith("preset:", StringComparison.Ordinal) ? ["--preset", config["preset:".Length..]] : ["--config", config];

    /// <summary>Runs <paramref name="config"/> to the end through a server process and three client processes (ids 0-2), each of which must exit 0; returns the run's output folder.</summary>
    string DeployWithThreeClients(string config)
    {
        string deployed = Path.Combine(_dir.Path, "deployed");
        var server = StartServer(config, deployed);
        string url = UrlOf(server);
        var clients = Enumerable.Range(0, 3).Select(id => StartClient(url, id, config)).ToList();
        Assert.True(server.WaitForExit() == 0, server.Output);
        foreach (var c in clients) Assert.True(c.WaitForExit(60) == 0, c.Output);
        return deployed;
    }

    static List<RoundRecord> Results(string outDir) => JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(outDir, "results.jsonl"), RunRecorder.Json).ToList();

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("fedlmt", 0.5)]
    [InlineData("pfedlmt", 0.5)]
    [InlineData("fedavg-all", 0.5)]
    [InlineData("fedavg-excluded", 0.5)] // the weak tier cannot afford the full model: its client is never sampled
    [InlineData("heterofl", 0.5)]
    [InlineData("fedrolex", 0.5)]
    [InlineData("fedhm", 0.5)]
    [InlineData("heterofl", 0.001)] // the weak tier affords no sub-model: left out, yet connected every round
    public void A_server_and_three_client_processes_run_the_small_preset_to_the_simulations_model(string algorithm, double weakBudget)
    {
        // Every algorithm, baselines included: the deployed run is the simulated one, to float rounding.
        string config = Path.Combine(_dir.Path, "run.yaml");
        File.WriteAllText(config, Presets.Read("small").Replace("algorithm: fedlmt", $"algorithm: {algorithm}")
            .Replace("macs_budget: 0.5", FormattableString.Invariant($"macs_budget: {weakBudget}")));
        string deployed = DeployWithThreeClients(config);
        var rounds = Results(deployed);
        Assert.Equal([1, 2, 3], rounds.Select(r => r.Round));
        Assert.All(rounds, r => Assert.Equal(r.Sampled, r.Replies));
        // Every device is its own process; a round starts once the eligible ones are there (a left-out one may come later).
        Assert.All(rounds, r => Assert.True(r.Hosts == r.Connected && r.Connected >= r.Sampled && r.Connected <= 3, $"round {r.Round}: {r}"));

        // The same config and seed, simulated in this process: the same model, the same clients sampled.
        var setup = ConfigLoader.Parse(File.ReadAllText(config));
        string simulated = Path.Combine(_dir.Path, "simulated");
        var summary = new SimulationRunner(setup, simulated).Run();
        var sim = Results(simulated);
        Assert.All(sim, r => Assert.Equal((3, 1), (r.Connected, r.Hosts))); // simulated: every client, one process
        Assert.Equal(sim.Select(r => r.Sampled), rounds.Select(r => r.Sampled));
        if (algorithm is "fedavg-excluded" || weakBudget < 0.01) Assert.All(rounds, r => Assert.True(r.Sampled < 3, $"round {r.Round} sampled a left-out client"));
        using var a = CheckpointStore.Load(Path.Combine(simulated, "checkpoint.bin"));
        using var b = CheckpointStore.Load(Path.Combine(deployed, "checkpoint.bin"));
        Assert.Equal(a.CompletedRounds, b.CompletedRounds);
        AssertClose(a.Global, b.Global, "global");
        Assert.Equal(a.PerClient.Keys.Order(), b.PerClient.Keys.Order());
        foreach (var (client, tensors) in a.PerClient) AssertClose(tensors, b.PerClient[client], $"client {client}'s");
        Assert.Equal(a.Shared.Keys.Order(), b.Shared.Keys.Order());
        Assert.Equal(sim.Select(r => r.TrainLoss), rounds.Select(r => r.TrainLoss), (x, y) => Math.Abs(x - y) <= 1e-6);
        Assert.Equal(sim[^1].ClientMeanAccuracy!.Value, rounds[^1].ClientMeanAccuracy!.Value, 5);
        var deployedSummary = JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(Path.Combine(deployed, "summary.json")), RunRecorder.Json)!;
        Assert.Equal(summary.Model, deployedSummary.Model);
        Assert.Equal(algorithm, deployedSummary.Algorithm);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("fedlmt")]
    [InlineData("pfedlmt")]
    public void The_transformer_language_model_deployed_is_the_simulated_one(string algorithm)
    {
        // A WikiText-2-format corpus on disk (as a user points wikitext2:PATH at the real files), a quarter-width
        // transformer, 3 client processes: dropout and the masks are seeded, so the deployed run is the simulated one.
        string corpus = Path.Combine(_dir.Path, "wikitext-2");
        Directory.CreateDirectory(corpus);
        string[] words = ["the", "whale", "ship", "sea", "captain", "white", "harpoon", "boat", "crew", "deck", "wind", "storm"];
        string Text(int lines, int seed) => string.Concat(Enumerable.Range(0, lines).Select(l =>
            " " + string.Join(' ', Enumerable.Range(0, 12).Select(i => words[(l * 7 + i * (seed + 3)) % words.Length])) + " . \n"));
        File.WriteAllText(Path.Combine(corpus, "wiki.train.tokens"), Text(60, 1));
        File.WriteAllText(Path.Combine(corpus, "wiki.valid.tokens"), Text(6, 2));
        File.WriteAllText(Path.Combine(corpus, "wiki.test.tokens"), Text(12, 3));
        string config = Path.Combine(_dir.Path, "lm.yaml");
        File.WriteAllText(config, Presets.Read("small").Replace("algorithm: fedlmt", $"algorithm: {algorithm}")
            .Replace("dataset: fmnist-embedded", $"dataset: wikitext2:{corpus}")
            .Replace("model: { architecture: mlp, width_multiplier: 0.25 }", "model: { architecture: transformer, width_multiplier: 0.25 }")
            .Replace("rounds: 3", "rounds: 2") + "partition: { scheme: contiguous }\ntext: { sequence_length: 16, objective: masked }\n");
        string deployed = DeployWithThreeClients(config);

        string simulated = Path.Combine(_dir.Path, "simulated");
        new SimulationRunner(ConfigLoader.Parse(File.ReadAllText(config)), simulated).Run();
        using var a = CheckpointStore.Load(Path.Combine(simulated, "checkpoint.bin"));
        using var b = CheckpointStore.Load(Path.Combine(deployed, "checkpoint.bin"));
        AssertClose(a.Global, b.Global, "global");
        foreach (var (client, tensors) in a.PerClient) AssertClose(tensors, b.PerClient[client], $"client {client}'s");
        var (sim, dep) = (Results(simulated), Results(deployed));
        Assert.Equal(sim.Select(r => r.TrainLoss), dep.Select(r => r.TrainLoss), (x, y) => Math.Abs(x - y) <= 1e-6);
        Assert.NotNull(dep[^1].Perplexity);
        Assert.Equal(sim[^1].Perplexity!.Value, dep[^1].Perplexity!.Value, 4);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Two_client_hosts_serve_eight_clients_with_range_tokens_and_the_run_is_the_simulations()
    {
        // Eight clients, half sampled each round, served by two host processes of four ids each; each host's token
        // admits only its own range, as the server's token file declares.
        string config = Path.Combine(_dir.Path, "hosts.yaml");
        File.WriteAllText(config, Presets.Read("small").Replace("num_clients: 3, fraction: 1.0", "num_clients: 8, fraction: 0.5"));
        string tokens = Path.Combine(_dir.Path, "host-tokens.txt");
        string first = BearerTokens.NewToken(), second = BearerTokens.NewToken();
        File.WriteAllText(tokens, $"0-3 {first}\n4-7 {second}\n");
        string deployed = Path.Combine(_dir.Path, "deployed");
        var server = Start("server", "server", "--config", config, "--out", deployed, "--certs", Certs, "--tokens", tokens, "--urls", "https://127.0.0.1:0");
        string url = UrlOf(server);
        FedlmtProcess Host(string ids, string token) => Start($"host {ids}", "client", "--server", url, "--ids", ids, "--config", config,
            "--certs", Certs, "--token", token, "--workers", "2", "--state", Path.Combine(_dir.Path, $"host-{ids}"), "--max-backoff", "1");
        var hosts = new[] { Host("0-3", first), Host("4-7", second) };

        Assert.True(server.WaitForExit() == 0, server.Output);
        foreach (var h in hosts) Assert.True(h.WaitForExit(60) == 0, h.Output);
        Assert.Contains("serving 4 clients (0-3)", hosts[0].Output);
        var rounds = Results(deployed);
        Assert.Equal([1, 2, 3], rounds.Select(r => r.Round));
        Assert.All(rounds, r => Assert.Equal((8, 2, 4, 4), (r.Connected, r.Hosts, r.Sampled, r.Replies))); // 8 clients through 2 hosts
        Assert.Contains("round 3/3: 4 of 4 replied (8 connected, in 2 processes)", server.Output); // and the operator's line says so

        string simulated = Path.Combine(_dir.Path, "simulated");
        new SimulationRunner(ConfigLoader.Parse(File.ReadAllText(config)), simulated).Run();
        using var a = CheckpointStore.Load(Path.Combine(simulated, "checkpoint.bin"));
        using var b = CheckpointStore.Load(Path.Combine(deployed, "checkpoint.bin"));
        AssertClose(a.Global, b.Global, "global");
        Assert.Equal(Results(simulated).Select(r => r.TrainLoss), rounds.Select(r => r.TrainLoss), (x, y) => Math.Abs(x - y) <= 1e-6);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_host_whose_token_does_not_cover_its_ids_is_refused_and_says_so()
    {
        string tokens = Path.Combine(_dir.Path, "host-tokens.txt");
        string token = BearerTokens.NewToken();
        File.WriteAllText(tokens, $"0-1 {token}\n");
        var server = Start("server", "server", "--preset", "small", "--out", Path.Combine(_dir.Path, "deployed"), "--certs", Certs, "--tokens", tokens,
            "--urls", "https://127.0.0.1:0");
        string url = UrlOf(server);
        var host = Start("host 0-2", "client", "--server", url, "--ids", "0-2", "--preset", "small", "--certs", Certs, "--token", token,
            "--state", Path.Combine(_dir.Path, "host"), "--max-backoff", "1");
        // Client 2 is refused for good, the others are served; the run waits for client 2 (min-clients: all), so stop it.
        host.WaitFor(@"Client 2: refused by the server: PermissionDenied: this token is not client 2's \(it admits clients 0-1\)");
        server.WaitFor(@"Client 1 connected");
        server.Terminate();
        Assert.Equal(0, server.WaitForExit());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_client_host_leaves_the_run_on_SIGTERM_as_a_pod_stop_asks()
    {
        string tokens = Path.Combine(_dir.Path, "host-tokens.txt");
        string token = BearerTokens.NewToken();
        File.WriteAllText(tokens, $"0-2 {token}\n");
        // Four clients in the config, three served: the server waits for the fourth, so the host idles connected.
        string config = Path.Combine(_dir.Path, "four.yaml");
        File.WriteAllText(config, Presets.Read("small").Replace("num_clients: 3", "num_clients: 4"));
        var server = Start("server", "server", "--config", config, "--out", Path.Combine(_dir.Path, "deployed"), "--certs", Certs, "--tokens", tokens,
            "--urls", "https://127.0.0.1:0");
        string url = UrlOf(server);
        var host = Start("host 0-2", "client", "--server", url, "--ids", "0-2", "--config", config, "--certs", Certs, "--token", token,
            "--state", Path.Combine(_dir.Path, "host"));
        server.WaitFor(@"Client 2 connected");
        host.Terminate();
        Assert.Equal(130, host.WaitForExit(30));
        Assert.Contains("Stop requested: leaving the run", host.Output);
        server.WaitFor(@"Client \d \S.*; 0 connected");
        server.Terminate();
        Assert.Equal(0, server.WaitForExit());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_host_killed_mid_round_costs_only_its_updates_and_restarted_its_clients_rejoin_with_their_personalization()
    {
        // pFedLMT personalized from round 1, 4 clients through two hosts; host B answers slowly, so it is killed while
        // its round-2 updates are outstanding. The round is aggregated with host A's replies, the next waits for B's
        // clients, and B restarted on the same --state rejoins with the custom parameters it kept.
        string config = Path.Combine(_dir.Path, "pfedlmt-hosts.yaml");
        File.WriteAllText(config, Presets.Read("small").Replace("algorithm: fedlmt", "algorithm: pfedlmt")
            .Replace("num_clients: 3, fraction: 1.0, rounds: 3", "num_clients: 4, fraction: 1.0, rounds: 4"));
        string tokens = Path.Combine(_dir.Path, "host-tokens.txt");
        string a = BearerTokens.NewToken(), b = BearerTokens.NewToken();
        File.WriteAllText(tokens, $"0-1 {a}\n2-3 {b}\n");
        string deployed = Path.Combine(_dir.Path, "deployed");
        var server = Start("server", "server", "--config", config, "--out", deployed, "--certs", Certs, "--tokens", tokens, "--urls", "https://127.0.0.1:0",
            "--min-replies", "2", "--round-timeout", "60");
        string url = UrlOf(server);
        string stateB = Path.Combine(_dir.Path, "host-b");
        FedlmtProcess Host(string name, string ids, string token, string state, params string[] extra) => Start(name, ["client", "--server", url, "--ids", ids,
            "--config", config, "--certs", Certs, "--token", token, "--state", state, "--max-backoff", "1", "--verbose", .. extra]);
        var hostA = Host("host A", "0-1", a, Path.Combine(_dir.Path, "host-a"));
        var hostB = Host("host B", "2-3", b, stateB, "--reply-delay", "2500");

        hostB.WaitFor(@"Client 2: round 1 accepted; custom parameters kept"); // round 1 done, its personalization on disk
        hostB.WaitFor(@"Client 2: trained round 2");                          // and now holding back its round-2 reply
        hostB.Kill();
        server.WaitFor(@"Round 2: client [23] dropped: "); // rounds are counted from 1 in every log line
        var restarted = Host("host B again", "2-3", b, stateB);
        Assert.True(server.WaitForExit() == 0, server.Output);
        Assert.True(hostA.WaitForExit(60) == 0, hostA.Output);
        Assert.True(restarted.WaitForExit(60) == 0, restarted.Output);

        var rounds = Results(deployed);
        Assert.Equal([1, 2, 3, 4], rounds.Select(r => r.Round));
        Assert.Equal(2, rounds[1].Replies); // host B's round-2 updates were lost with it, host A's counted
        Assert.All(rounds.Skip(2), r => Assert.Equal((4, 2), (r.Replies, r.Hosts)));
        Assert.Matches(@"Client [23]: round 3 uses its kept custom parameters", restarted.Output);
    }

    static void AssertClose(NamedTensors expected, NamedTensors actual, string what)
    {
        Assert.Equal(expected.Names, actual.Names);
        foreach (var name in expected.Names)
        {
            double diff = (expected[name] - actual[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{what} '{name}' differs by {diff}");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_client_killed_mid_round_and_a_killed_server_do_not_stop_the_run()
    {
        string config = WriteConfig();
        string deployed = Path.Combine(_dir.Path, "deployed");
        string[] serverOptions = ["--min-replies", "2", "--round-timeout", "60", "--set", "federated.rounds=4"];
        string[] clientOptions = ["--set", "federated.rounds=4"];
        // All three must be connected for a round to start, so the slow client takes part from round 1.
        var server = StartServer(config, deployed, [.. serverOptions, "--min-clients", "3"]);
        string url = UrlOf(server);
        var steady = new[] { StartClient(url, 0, config, clientOptions), StartClient(url, 1, config, clientOptions) };
        // Client 2 is a slow device: it holds each reply back, so it can be killed in the middle of a round.
        var slow = StartClient(url, 2, config, [.. clientOptions, "--reply-delay", "3000"]);
        slow.WaitFor("trained round 1");
        server.WaitFor("round 1/4");
        slow.WaitFor("trained round 2");
        slow.Kill();
        server.WaitFor(@"round 2/4: 2 of 3 replied");
        Assert.Contains("client 2 dropped", server.Output);

        // The server dies without warning after round 2 and comes back on the same folder.
        server.Kill();
        int done = Results(deployed).Count;
        Assert.InRange(done, 2, 4);
        var restarted = StartServer(config, deployed, [.. serverOptions, "--min-clients", "2", "--urls", url]);
        Assert.True(restarted.WaitForExit() == 0, restarted.Output);
        Assert.Contains($"after round {done}", restarted.Output);
        foreach (var c in steady) Assert.True(c.WaitForExit(60) == 0, c.Output);

        var rounds = Results(deployed);
        Assert.Equal([1, 2, 3, 4], rounds.Select(r => r.Round));
        Assert.Equal(2, rounds[1].Replies);
        Assert.Equal(1, rounds[1].Failures);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(deployed, "summary.json")));
        Assert.Equal(4, summary.RootElement.GetProperty("rounds_completed").GetInt32());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Sigterm_stops_the_server_after_the_round_with_a_checkpoint_and_exit_0_and_the_run_resumes()
    {
        string config = WriteConfig();
        string deployed = Path.Combine(_dir.Path, "deployed");
        string[] options = ["--set", "federated.rounds=6"];
        var server = StartServer(config, deployed, [.. options, "--min-clients", "3"]);
        string url = UrlOf(server);
        // Replies held back half a second, so a round is slower than the signal (the small preset's rounds take ~0.1 s).
        var clients = Enumerable.Range(0, 3).Select(id => StartClient(url, id, config, [.. options, "--reply-delay", "500"])).ToList();
        server.WaitFor("round 1/6");
        server.Terminate(); // what systemctl stop sends; before, the web host swallowed it and the stop ended in SIGKILL

        Assert.True(server.WaitForExit(120) == 0, server.Output);
        Assert.Matches(@"stopped after round \d of 6", server.Output);
        int done = Results(deployed).Count;
        Assert.InRange(done, 1, 5);
        Assert.True(File.Exists(Path.Combine(deployed, "checkpoint.bin")));

        // The clients keep reconnecting; a server started on the same folder finishes the run.
        var restarted = StartServer(config, deployed, [.. options, "--min-clients", "3", "--urls", url]);
        Assert.True(restarted.WaitForExit() == 0, restarted.Output);
        Assert.Contains($"after round {done}", restarted.Output);
        foreach (var c in clients) Assert.True(c.WaitForExit(60) == 0, c.Output);
        Assert.Equal(Enumerable.Range(1, 6), Results(deployed).Select(r => r.Round));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_server_waiting_for_clients_says_which_are_missing()
    {
        // The default --min-clients is every client: a device that never connects stalls the run, visibly.
        var server = StartServer("preset:small", Path.Combine(_dir.Path, "waiting"), "--wait-report", "1");
        string url = UrlOf(server);
        StartClient(url, 1, "preset:small");
        server.WaitFor(@"Still waiting for 2 more of 3 clients \(1 connected\); not connected: 0, 2");
        server.Terminate();
        Assert.True(server.WaitForExit(60) == 0, server.Output);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_client_speaking_http_to_the_https_port_gives_up_with_a_hint_instead_of_retrying_forever()
    {
        var server = StartServer("preset:small", Path.Combine(_dir.Path, "mismatch"));
        string url = UrlOf(server).Replace("https://", "http://");
        var client = StartClient(url, 0, "preset:small", "--insecure");
        Assert.Equal(3, client.WaitForExit(120));
        Assert.Contains("failed in the handshake", client.Output);
        Assert.Contains("the server speaks https but the URL says http", client.Output);
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        _dir.Dispose();
    }
}
