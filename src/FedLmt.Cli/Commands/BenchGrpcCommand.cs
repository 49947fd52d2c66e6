using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using FedLmt.Cli.Bench;
using FedLmt.Grpc;
using FedLmt.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt bench grpc`: the transport's costs. Serialization of a ResNet-18 state each way; a deployed round of a
/// the small preset on loopback (real client processes, TLS) against the simulated round; the server memory of idle
/// connected clients (opened by a child process).
/// </summary>
public sealed class BenchGrpcCommand : Command<BenchGrpcCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--repetitions <N>")]
        [Description("Timed serialization repetitions (best reported).")]
        [DefaultValue(5)]
        public int Repetitions { get; init; } = 5;

        [CommandOption("--rounds <N>")]
        [Description("Rounds of the small preset, simulated and deployed; the first is warm-up. 0 skips the comparison.")]
        [DefaultValue(20)]
        public int Rounds { get; init; } = 20;

        [CommandOption("--clients <N>")]
        [Description("Clients of the small preset (all train every round; deployed, each is a process).")]
        [DefaultValue(3)]
        public int Clients { get; init; } = 3;

        [CommandOption("--threads <N>")]
        [Description("libtorch threads of the simulation and of each client process (simulation.threads; 0: libtorch's default).")]
        [DefaultValue(1)]
        public int Threads { get; init; } = 1;

        [CommandOption("--idle <N>")]
        [Description("Idle connected clients for the memory measurement; 0 skips it.")]
        [DefaultValue(200)]
        public int Idle { get; init; } = 200;

        [CommandOption("--idle-child <URL>", IsHidden = true)]
        public string? IdleChild { get; init; }

        [CommandOption("--token <TOKEN>", IsHidden = true)]
        public string? Token { get; init; }

        [CommandOption("--ca <FILE>", IsHidden = true)]
        public string? Ca { get; init; }

        public override ValidationResult Validate() =>
            Repetitions < 1 ? ValidationResult.Error($"--repetitions {Repetitions}: must be >= 1")
            : Rounds is < 0 or 1 ? ValidationResult.Error($"--rounds {Rounds}: must be 0 or >= 2")
            : Clients < 1 ? ValidationResult.Error($"--clients {Clients}: must be >= 1")
            : Idle < 0 ? ValidationResult.Error($"--idle {Idle}: must be >= 0")
            : Threads < 0 ? ValidationResult.Error($"--threads {Threads}: must be >= 0")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.IdleChild is not null) return RunIdleChild(settings);
        string work = Directory.CreateTempSubdirectory("fedlmt-bench-grpc-").FullName;
        try
        {
            string certs = Path.Combine(work, "certs");
            DevelopmentCertificates.Create(certs, clients: 1);
            string token = BearerTokens.NewToken();
            if (settings.Idle > 0) MeasureIdle(settings.Idle, certs, token); // first: before other parts grow the heap

            var s = SerializationBenchmark.Measure(repetitions: settings.Repetitions);
            AnsiConsole.MarkupLineInterpolated(
                $"serialization of a ResNet-18 state ({s.PayloadBytes / 1e6:F1} MB in {s.Messages} messages): encode [bold]{s.EncodeGBps:F2} GB/s[/], decode [bold]{s.DecodeGBps:F2} GB/s[/], decode + NaN/Inf check {s.DecodeValidateGBps:F2} GB/s");

            if (settings.Rounds > 0) MeasureRound(settings, work, certs, token);
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    static void MeasureIdle(int count, string certs, string token)
    {
        var registry = new ClientRegistry();
        var endpoint = new ServerEndpointOptions
        {
            Url = new Uri("https://127.0.0.1:0"), CertificatePath = Path.Combine(certs, "server.crt"), KeyPath = Path.Combine(certs, "server.key"),
            Tokens = BearerTokens.Shared(token),
        };
        var host = DeploymentHost.StartAsync(endpoint, registry, new OpenAdmission(count)).GetAwaiter().GetResult();
        try
        {
            // A first pass warms the server's code paths and pools, so the measured pass sees connections, not JIT.
            MeasureIdleOnce(count, host.Addresses[0], registry, certs, token, out _, out _);
            MeasureIdleOnce(count, host.Addresses[0], registry, certs, token, out long rss, out long managed);
            AnsiConsole.MarkupLineInterpolated(
                $"{count} idle connected clients (TLS, one connection each): server RSS [bold]+{rss / 1024.0 / count:F1} KiB per client[/], managed heap +{managed / 1024.0 / count:F1} KiB per client");
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    static void MeasureIdleOnce(int count, string url, ClientRegistry registry, string certs, string token, out long rssDelta, out long managedDelta)
    {
        ProcessMemory.Settle();
        long rss0 = ProcessMemory.ResidentBytes(), managed0 = GC.GetTotalMemory(false);
        using var child = FedlmtChild.Start(["bench", "grpc", "--idle-child", url, "--idle", count.ToString(), "--token", token, "--ca", Path.Combine(certs, "ca.crt")], redirectInput: true);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (registry.Count < count && DateTime.UtcNow < deadline && !child.Process.HasExited) Thread.Sleep(100);
        if (registry.Count < count)
            throw new InvalidOperationException($"only {registry.Count} of {count} idle clients connected{(child.Process.HasExited ? $" (the child exited with {child.Process.ExitCode})" : "")}; its output:\n{child.Tail}");
        Thread.Sleep(1000);
        ProcessMemory.Settle();
        rssDelta = ProcessMemory.ResidentBytes() - rss0;
        managedDelta = GC.GetTotalMemory(false) - managed0;
        child.Process.StandardInput.Close();
        if (!child.Process.WaitForExit(30_000)) child.Process.Kill(entireProcessTree: true);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (registry.Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
    }

    static int RunIdleChild(Settings settings)
    {
        var options = new ClientConnectionOptions { Server = new Uri(settings.IdleChild!), Token = settings.Token ?? "", CaPath = settings.Ca };
        var idle = IdleClients.ConnectAsync(options, settings.Idle).GetAwaiter().GetResult();
        Console.In.ReadToEnd(); // until the parent closes our stdin
        idle.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    static void MeasureRound(Settings settings, string work, string certs, string token)
    {
        // The small preset, every client training every round, evaluation only at the end (it is not the round's cost).
        string[] overrides =
        [
            $"federated.num_clients={settings.Clients}", "federated.fraction=1.0", $"federated.rounds={settings.Rounds}",
            $"evaluation.every={settings.Rounds}", $"simulation.threads={settings.Threads}",
        ];
        var config = Presets.LoadConfig(null, "small", overrides);
        AnsiConsole.MarkupLineInterpolated($"[grey]round cost: {settings.Rounds} rounds of the small preset (MLP width 0.25), {settings.Clients} clients, all training every round, {settings.Threads} libtorch thread(s) each...[/]");
        new SimulationRunner(config, Path.Combine(work, "sim")).Run();
        double simulated = RunTimes.MeanTrainSeconds(Path.Combine(work, "sim"));

        var runner = new DeploymentRunner(config, Path.Combine(work, "deployed"), new DeploymentOptions { MinReplies = settings.Clients });
        var endpoint = new ServerEndpointOptions
        {
            Url = new Uri("https://127.0.0.1:0"), CertificatePath = Path.Combine(certs, "server.crt"), KeyPath = Path.Combine(certs, "server.key"),
            Tokens = BearerTokens.Shared(token),
        };
        var host = DeploymentHost.StartAsync(endpoint, runner.Registry, runner.Admission).GetAwaiter().GetResult();
        var clients = new List<FedlmtChild>();
        try
        {
            for (int id = 0; id < settings.Clients; id++)
                clients.Add(FedlmtChild.Start(["client", "--server", host.Addresses[0], "--id", id.ToString(), "--token", token, "--ca", Path.Combine(certs, "ca.crt"),
                    "--state", Path.Combine(work, $"client-{id}"), "--preset", "small", .. overrides.SelectMany(o => new[] { "--set", o })], redirectInput: false));
            runner.Run();
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            foreach (var c in clients)
            {
                if (!c.Process.WaitForExit(10_000)) c.Process.Kill(entireProcessTree: true);
                c.Dispose();
            }
        }
        double deployed = RunTimes.MeanTrainSeconds(Path.Combine(work, "deployed"));
        AnsiConsole.MarkupLineInterpolated(
            $"round of the small preset (mean of rounds 2..{settings.Rounds}, training + aggregation): simulated {simulated * 1000:F1} ms, deployed over TLS loopback {deployed * 1000:F1} ms: [bold]{deployed / simulated:F2}x[/]");
    }

}
