using System.ComponentModel;
using System.Diagnostics;
using FedLmt.Cli.Bench;
using FedLmt.Grpc;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt bench hosts`: many clients through a few client-host processes on loopback - the server's memory per
/// connected client, a host's memory per idle client id, the round cost against the in-process simulation, and that
/// the deployed model is the simulated one.
/// </summary>
public sealed class BenchHostsCommand : Command<BenchHostsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--clients <N>")]
        [Description("Clients of the widened small preset (MLP width 0.25 on the embedded Fashion-MNIST, IID split).")]
        [DefaultValue(1000)]
        public int Clients { get; init; } = 1000;

        [CommandOption("--hosts <N>")]
        [Description("Client-host processes, each serving an equal range of ids.")]
        [DefaultValue(4)]
        public int Hosts { get; init; } = 4;

        [CommandOption("--fraction <F>")]
        [Description("Clients sampled each round.")]
        [DefaultValue(0.05)]
        public double Fraction { get; init; } = 0.05;

        [CommandOption("--epochs <N>")]
        [Description("Local epochs (local.epochs): more local work per task, against the transport's fixed cost per task.")]
        [DefaultValue(1)]
        public int Epochs { get; init; } = 1;

        [CommandOption("--workers <N>")]
        [Description("Clients each host trains at once, one libtorch thread each. More lets a host that drew more of the sampled clients use a core another host leaves idle.")]
        [DefaultValue(1)]
        public int Workers { get; init; } = 1;

        [CommandOption("--rounds <N>")]
        [Description("Rounds (>= 3); the first is warm-up for the round cost, the last also evaluates, so CPU is counted over the others.")]
        [DefaultValue(6)]
        public int Rounds { get; init; } = 6;

        public override ValidationResult Validate() =>
            Clients < 2 ? ValidationResult.Error($"--clients {Clients}: must be >= 2")
            : Hosts < 1 || Hosts > Clients ? ValidationResult.Error($"--hosts {Hosts}: must be between 1 and --clients")
            : !(Fraction > 0 && Fraction <= 1) ? ValidationResult.Error($"--fraction {Fraction}: must be in (0, 1]")
            : Rounds < 3 ? ValidationResult.Error($"--rounds {Rounds}: must be >= 3 (the first is warm-up, the last evaluates)")
            : Epochs < 1 ? ValidationResult.Error($"--epochs {Epochs}: must be >= 1")
            : Workers < 1 ? ValidationResult.Error($"--workers {Workers}: must be >= 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string work = Directory.CreateTempSubdirectory("fedlmt-bench-hosts-").FullName;
        try
        {
            Run(settings, work);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static void Run(Settings s, string work)
    {
        string[] overrides =
        [
            $"federated.num_clients={s.Clients}", $"federated.fraction={s.Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"federated.rounds={s.Rounds}", $"evaluation.every={s.Rounds}", "simulation.threads=1", $"local.epochs={s.Epochs}",
            // The embedded subset has 12,000 training images: at 1,000 clients a Dirichlet split cannot give each 10.
            "partition.scheme=iid",
        ];
        string configPath = Path.Combine(work, "run.yaml");
        File.WriteAllText(configPath, Presets.Read("small"));
        var config = ConfigLoader.Load(configPath, overrides);
        string certs = Path.Combine(work, "certs");
        DevelopmentCertificates.Create(certs, clients: 1);
        int per = (s.Clients + s.Hosts - 1) / s.Hosts;
        var ranges = Enumerable.Range(0, s.Hosts).Select(h => (First: h * per, Last: Math.Min(s.Clients, (h + 1) * per) - 1)).ToList();
        var tokens = ranges.Select(_ => BearerTokens.NewToken()).ToList();
        string tokenFile = Path.Combine(work, "tokens.txt");
        File.WriteAllLines(tokenFile, ranges.Select((r, i) => $"{r.First}-{r.Last} {tokens[i]}"));
        AnsiConsole.MarkupLineInterpolated($"[grey]{s.Clients} clients of the small preset, {s.Fraction:P0} sampled, {s.Rounds} rounds, through {s.Hosts} client hosts of {per} ids ({s.Workers} training at once each) on loopback...[/]");

        // Warnings only: a dropped client or a refused update says why, as a server operator would see it.
        using var loggers = LoggerFactory.Create(logging =>
        {
            DeploymentCli.ConsoleLogging(logging);
            logging.SetMinimumLevel(LogLevel.Warning);
        });
        var runner = new DeploymentRunner(config, Path.Combine(work, "deployed"), new DeploymentOptions { RoundTimeout = TimeSpan.FromMinutes(5) },
            loggers.CreateLogger("fedlmt.server"));
        var host = DeploymentHost.StartAsync(new ServerEndpointOptions
        {
            Url = new Uri("https://127.0.0.1:0"), CertificatePath = Path.Combine(certs, "server.crt"), KeyPath = Path.Combine(certs, "server.key"),
            Tokens = BearerTokens.FromFile(tokenFile),
        }, runner.Registry, runner.Admission).GetAwaiter().GetResult();
        var children = new List<FedlmtChild>();
        using var self = Process.GetCurrentProcess();
        RoundCpu deployedCpu;
        try
        {
            FedlmtChild Host(string ids, string token) => FedlmtChild.Start(["client", "--server", host.Addresses[0], "--ids", ids, "--config", configPath,
                .. overrides.SelectMany(o => new[] { "--set", o }), "--token", token, "--ca", Path.Combine(certs, "ca.crt"),
                "--workers", $"{s.Workers}", "--threads", "1", "--state", Path.Combine(work, $"host-{ids}")]);

            // A host's own floor: the same process serving one id.
            long serverBefore = SettledServerBytes(out long managedBefore);
            using (var probe = Host($"{ranges[0].First}", tokens[0]))
            {
                WaitFor(runner.Registry, 1, probe);
                long probeBytes = SettleThenRead(probe);
                probe.Process.Kill(entireProcessTree: true);
                probe.Process.WaitForExit();
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (runner.Registry.Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(50);

                children.AddRange(ranges.Select((r, i) => Host($"{r.First}-{r.Last}", tokens[i])));
                foreach (var c in children) WaitFor(runner.Registry, s.Clients, c);
                long serverAfter = SettledServerBytes(out long managedAfter);
                var hostBytes = children.Select(SettleThenRead).ToList();
                double perHostClient = hostBytes.Select((b, i) => (b - probeBytes) / (double)(ranges[i].Last - ranges[i].First)).Average();
                AnsiConsole.MarkupLineInterpolated(
                    $"{s.Clients} clients connected through {s.Hosts} hosts: server [bold]{(serverAfter - serverBefore) / 1024.0 / s.Clients:F1} KiB RSS[/] and {(managedAfter - managedBefore) / 1024.0 / s.Clients:F1} KiB managed heap per connected client; a host [bold]{perHostClient / 1024:F1} KiB RSS per idle client id[/] (host RSS {hostBytes.Average() / 1e6:F0} MB, one id {probeBytes / 1e6:F0} MB)");
            }

            deployedCpu = new RoundCpu([self, .. children.Select(c => c.Process)], 1, s.Rounds - 1);
            runner.Run(deployedCpu);
            foreach (var c in children)
                if (!c.Process.WaitForExit(60_000)) throw new InvalidOperationException($"a host did not finish:\n{c.Tail}");
            int failed = RunTimes.Records(Path.Combine(work, "deployed")).Sum(r => r.Failures);
            if (failed > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]{failed} client tasks of the deployed run failed (see its results): its model cannot equal the simulated one[/]");
                foreach (var c in children) AnsiConsole.WriteLine($"host {c.Process.Id}, last lines:\n{c.Tail}");
            }
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            foreach (var c in children)
            {
                if (!c.Process.HasExited) c.Process.Kill(entireProcessTree: true);
                c.Dispose();
            }
        }

        var simulation = ConfigLoader.Load(configPath, [.. overrides, "simulation.workers=2"]);
        var simulatedCpu = new RoundCpu([self], 1, s.Rounds - 1);
        new SimulationRunner(simulation, Path.Combine(work, "simulated")).Run(progress: simulatedCpu);
        using var a = CheckpointStore.Load(Path.Combine(work, "simulated", "checkpoint.bin"));
        using var b = CheckpointStore.Load(Path.Combine(work, "deployed", "checkpoint.bin"));
        double diff = a.Global.Names.Max(n => (a.Global[n] - b.Global[n]).abs().max().item<float>());
        double simulated = RunTimes.MeanTrainSeconds(Path.Combine(work, "simulated")), deployed = RunTimes.MeanTrainSeconds(Path.Combine(work, "deployed"));
        double[] cpu = deployedCpu.MillisecondsPerRound();
        double simulatedCpuMs = simulatedCpu.MillisecondsPerRound()[0];
        AnsiConsole.MarkupLineInterpolated(
            $"CPU per round (rounds 2..{s.Rounds - 1}): simulated {simulatedCpuMs:F1} ms; deployed {cpu.Sum():F1} ms = server {cpu[0]:F1} + hosts {string.Join(" + ", cpu.Skip(1).Select(c => c.ToString("F1")))} ([bold]{cpu.Sum() / simulatedCpuMs:F2}x[/])");
        AnsiConsole.MarkupLineInterpolated(
            $"round (mean of rounds 2..{s.Rounds}, training + aggregation): simulated with 2 workers {simulated * 1000:F1} ms, through {s.Hosts} hosts {deployed * 1000:F1} ms: [bold]{deployed / simulated:F2}x[/]; deployed model vs simulated: max difference [bold]{diff:G3}[/]");
    }


    static void WaitFor(ClientRegistry registry, int count, FedlmtChild child)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (registry.Count < count)
        {
            if (child.Process.HasExited) throw new InvalidOperationException($"a host ended before its clients registered:\n{child.Tail}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{registry.Count} of {count} clients registered after 3 minutes:\n{child.Tail}");
            Thread.Sleep(50);
        }
    }

    /// <summary>This process's RSS once the GC has collected and returned what it can.</summary>
    static long SettledServerBytes(out long managed)
    {
        ProcessMemory.Settle();
        managed = GC.GetTotalMemory(forceFullCollection: false);
        return ProcessMemory.ResidentBytes();
    }

    /// <summary>A child's RSS once it has sat idle for a moment.</summary>
    static long SettleThenRead(FedlmtChild child)
    {
        Thread.Sleep(2000);
        return child.ResidentBytes();
    }
}
