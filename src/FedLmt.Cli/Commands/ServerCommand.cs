using System.ComponentModel;
using System.Globalization;
using FedLmt.Grpc;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt server`: a deployed federated run; clients connect over gRPC (TLS, bearer tokens) and train where their data is.</summary>
public sealed class ServerCommand : Command<ServerCommand.Settings>
{
    public sealed class Settings : RunConfigSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder (default runs/<name>): results, summary, plots and checkpoint.bin. A folder with a checkpoint is resumed.")]
        public string? Out { get; init; }

        [CommandOption("--urls <URL>")]
        [Description("Where to listen: https://IP:PORT, default https://127.0.0.1:50051 (port 0 picks a free one; the address is printed). http:// only on loopback.")]
        public string Urls { get; init; } = "https://127.0.0.1:50051";

        [CommandOption("--certs <DIR>")]
        [Description("Folder made by `fedlmt certs`: uses server.crt and server.key from it, its tokens.txt unless --token/--tokens is given, and ca.crt with --require-client-cert.")]
        public string? Certs { get; init; }

        [CommandOption("--cert <FILE>")]
        [Description("PEM server certificate.")]
        public string? Cert { get; init; }

        [CommandOption("--key <FILE>")]
        [Description("PEM private key of the server certificate.")]
        public string? Key { get; init; }

        [CommandOption("--client-ca <FILE>")]
        [Description("PEM CA: clients must present a certificate it signed for client authentication, naming their id as CN=fedlmt-client-ID (mutual TLS).")]
        public string? ClientCa { get; init; }

        [CommandOption("--require-client-cert")]
        [Description("With --certs: require client certificates signed by its ca.crt; a client may then register only as the id its certificate names (CN=fedlmt-client-ID).")]
        public bool RequireClientCert { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description("Bearer token shared by all clients (or set FEDLMT_TOKEN); any holder may then act as any id. At least 16 characters; one that starts with - goes as --token=TOKEN.")]
        public string? Token { get; init; }

        [CommandOption("--tokens <FILE>")]
        [Description("Token file: 'CLIENT_ID TOKEN' lines give each client its own token; a line with a token alone is shared.")]
        public string? Tokens { get; init; }

        [CommandOption("--min-clients <N>")]
        [Description("Eligible clients that must be connected before a round starts (default: all clients of the config, so one device that never connects stalls the run; the server says which are missing every --wait-report seconds).")]
        public int? MinClients { get; init; }

        [CommandOption("--wait-report <SECONDS>")]
        [Description("While waiting for clients, how often to log which ones are not connected.")]
        [DefaultValue(60.0)]
        public double WaitReport { get; init; } = 60;

        [CommandOption("--min-replies <N>")]
        [Description("Replies a round needs to be aggregated; with fewer it is retried.")]
        [DefaultValue(1)]
        public int MinReplies { get; init; } = 1;

        [CommandOption("--round-timeout <SECONDS>")]
        [Description("How long a round waits for replies; later replies are stragglers and dropped.")]
        [DefaultValue(300.0)]
        public double RoundTimeout { get; init; } = 300;

        [CommandOption("--max-update-mb <MB>")]
        [Description("The largest update accepted from a client, in MiB.")]
        [DefaultValue(4096)]
        public int MaxUpdateMb { get; init; } = 4096;

        protected override ValidationResult ValidateOptions() =>
            Token is not null && Tokens is not null ? ValidationResult.Error("--token and --tokens: give one or the other")
            : !Uri.TryCreate(Urls, UriKind.Absolute, out _) ? ValidationResult.Error($"--urls {Urls}: not a URL such as https://127.0.0.1:50051")
            : MinReplies < 1 ? ValidationResult.Error($"--min-replies {MinReplies}: must be >= 1")
            : MinClients is < 1 ? ValidationResult.Error($"--min-clients {MinClients}: must be >= 1")
            : !(WaitReport > 0) || double.IsInfinity(WaitReport) ? ValidationResult.Error($"--wait-report {WaitReport}: must be a finite number of seconds > 0")
            : !(RoundTimeout > 0) ? ValidationResult.Error($"--round-timeout {RoundTimeout}: must be > 0")
            : MaxUpdateMb < 1 ? ValidationResult.Error($"--max-update-mb {MaxUpdateMb}: must be >= 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Ctrl-C and SIGTERM (systemctl stop, a container stop) end the run after the current round with its checkpoint;
        // the web host leaves signals to this (DeploymentHost), so it keeps serving until the round is done.
        using var stop = new StopSignals(cancel);
        try
        {
            var config = settings.LoadConfig();
            string outDir = settings.Out ?? Path.Combine("runs", config.Name);
            string? tokenFile = settings.Tokens
                ?? (settings.Token is null && Environment.GetEnvironmentVariable("FEDLMT_TOKEN") is null && settings.Certs is not null
                    ? Path.Combine(settings.Certs, DevelopmentCertificates.TokensFile) : null);
            var tokens = tokenFile is not null ? BearerTokens.FromFile(tokenFile)
                : BearerTokens.Shared(settings.Token ?? Environment.GetEnvironmentVariable("FEDLMT_TOKEN")
                    ?? throw new ArgumentException("a bearer token is required: --tokens FILE, --certs DIR with tokens.txt, --token or FEDLMT_TOKEN"));
            var endpoint = new ServerEndpointOptions
            {
                Url = new Uri(settings.Urls),
                CertificatePath = settings.Cert ?? (settings.Certs is null ? null : Path.Combine(settings.Certs, "server.crt")),
                KeyPath = settings.Key ?? (settings.Certs is null ? null : Path.Combine(settings.Certs, "server.key")),
                ClientCaPath = settings.ClientCa ?? (settings.RequireClientCert && settings.Certs is not null ? Path.Combine(settings.Certs, "ca.crt") : null),
                Tokens = tokens,
            };
            var options = new DeploymentOptions
            {
                MinClients = settings.MinClients,
                WaitReport = TimeSpan.FromSeconds(settings.WaitReport),
                MinReplies = settings.MinReplies,
                RoundTimeout = TimeSpan.FromSeconds(settings.RoundTimeout),
                MaxUpdateBytes = (long)settings.MaxUpdateMb << 20,
            };
            using var loggers = LoggerFactory.Create(DeploymentCli.ConsoleLogging);
            var logger = loggers.CreateLogger("fedlmt.server");
            settings.StartRuntime();
            var runner = new DeploymentRunner(config, outDir, options, logger);
            var host = DeploymentHost.StartAsync(endpoint, runner.Registry, runner.Admission, DeploymentCli.ConsoleLogging, cancel.Token).GetAwaiter().GetResult();
            RunSummary summary;
            try
            {
                foreach (var address in host.Addresses) AnsiConsole.WriteLine($"listening on {address}");
                AnsiConsole.MarkupLineInterpolated(
                    $"[bold]{config.Name}[/]: {config.Algorithm}, {config.Federated.NumClients} clients, {config.Federated.Rounds} rounds -> {outDir}; waiting for {runner.MinClients} clients, aggregating with at least {options.MinReplies} replies");
                var progress = new SynchronousProgress<RoundRecord>(r => AnsiConsole.WriteLine(
                    $"round {r.Round}/{config.Federated.Rounds}: {r.Replies} of {r.Sampled} replied ({r.Connected} connected, in {r.Hosts} {(r.Hosts == 1 ? "process" : "processes")}), loss {r.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}" +
                    (r.Evaluated ? $", accuracy {(r.GlobalAccuracy ?? r.ClientMeanAccuracy ?? double.NaN).ToString("P2", CultureInfo.InvariantCulture)}" : "")));
                summary = runner.Run(progress, cancel.Token);
                if (!summary.Interrupted) Thread.Sleep(500); // let the Finished messages reach the clients
            }
            finally
            {
                host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            AnsiConsole.WriteLine(summary.Interrupted
                ? $"stopped after round {summary.RoundsCompleted} of {summary.RoundsPlanned}; restart with --out {outDir} to resume"
                : $"finished {summary.RoundsCompleted} rounds; results in {outDir}");
            return 0; // a requested stop is a clean end: the checkpoint resumes it
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or FileNotFoundException
                                       or DirectoryNotFoundException or IOException or System.Security.Cryptography.CryptographicException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }
}
