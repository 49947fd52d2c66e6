using System.ComponentModel;
using FedLmt.Federated;
using FedLmt.Grpc;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt client`: one deployed client, training its own partition of the configured dataset for the server; or with
/// --ids a client host serving many client ids from one process.
/// </summary>
public sealed class ClientCommand : Command<ClientCommand.Settings>
{
    public sealed class Settings : RunConfigSettings
    {
        [CommandOption("--server <URL>")]
        [Description("The server, e.g. https://127.0.0.1:50051.")]
        public string? Server { get; init; }

        [CommandOption("--id <N>")]
        [Description("This client's id (0..num_clients-1): which partition of the dataset it trains on.")]
        public int? Id { get; init; }

        [CommandOption("--ids <LIST>")]
        [Description("Serve many client ids from this process (a client host), e.g. 0-249 or 0-9,20: each registers and trains as its own device. The token must admit them all (a 'FIRST-LAST TOKEN' line in the server's token file).")]
        public string? Ids { get; init; }

        [CommandOption("--workers <N>")]
        [Description("With --ids: clients that train at once (default: one per core).")]
        public int? Workers { get; init; }

        [CommandOption("--threads <N>")]
        [Description("libtorch threads (default: the config's simulation.threads; with --ids, cores / workers).")]
        public int? Threads { get; init; }

        [CommandOption("--insecure")]
        [Description("Allow an http:// server URL: the bearer token then crosses the network in clear.")]
        public bool Insecure { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description("Bearer token (or set FEDLMT_TOKEN, or --token-file; default: token.txt of the --certs bundle). One that starts with - goes as --token=TOKEN.")]
        public string? Token { get; init; }

        [CommandOption("--token-file <FILE>")]
        [Description("File holding the bearer token.")]
        public string? TokenFile { get; init; }

        [CommandOption("--certs <DIR>")]
        [Description("This client's bundle from `fedlmt certs` (its clients/ID folder; the whole certs folder picks clients/ID in it): trusts its ca.crt, presents client.crt/client.key, sends token.txt.")]
        public string? Certs { get; init; }

        [CommandOption("--ca <FILE>")]
        [Description("PEM CA the server's certificate must chain to (default: the system's trust store).")]
        public string? Ca { get; init; }

        [CommandOption("--cert <FILE>")]
        [Description("PEM client certificate, for a server that requires one.")]
        public string? Cert { get; init; }

        [CommandOption("--key <FILE>")]
        [Description("PEM key of the client certificate.")]
        public string? Key { get; init; }

        [CommandOption("--state <DIR>")]
        [Description("Where this client keeps its own parameters (pFedLMT custom layers), default runs/client-<id>.")]
        public string? State { get; init; }

        [CommandOption("--max-backoff <SECONDS>")]
        [Description("Longest wait between reconnection attempts (exponential backoff from 0.5 s, with jitter).")]
        [DefaultValue(10.0)]
        public double MaxBackoff { get; init; } = 10;

        [CommandOption("--reply-delay <MS>")]
        [Description("Wait this long before each reply: a slow device, for tests and demonstrations.")]
        [DefaultValue(0)]
        public int ReplyDelay { get; init; }

        protected override ValidationResult ValidateOptions() =>
            Server is null || !Uri.TryCreate(Server, UriKind.Absolute, out _) ? ValidationResult.Error("--server URL is required, e.g. https://127.0.0.1:50051")
            : Id is not null && Ids is not null ? ValidationResult.Error("--id and --ids: give one or the other")
            : Ids is null && Id is null or < 0 ? ValidationResult.Error("--id N is required (an integer >= 0), or --ids LIST for a client host")
            : Workers is < 1 ? ValidationResult.Error($"--workers {Workers}: must be >= 1")
            : Threads is < 1 ? ValidationResult.Error($"--threads {Threads}: must be >= 1")
            : !(MaxBackoff > 0) ? ValidationResult.Error($"--max-backoff {MaxBackoff}: must be > 0")
            : ReplyDelay < 0 ? ValidationResult.Error($"--reply-delay {ReplyDelay}: must be >= 0")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Ctrl-C and SIGTERM (a container or pod stopped) end the client's connections; the server counts its clients
        // as gone, and what they keep (pFedLMT's committed custom parameters) is on disk for when they return.
        using var stop = new StopSignals(cancel, "Stop requested: leaving the run (signal again to abort); restart to rejoin.");
        try
        {
            if (settings.Ids is not null) return RunHost(settings, cancel.Token);
            int id = settings.Id!.Value;
            var config = settings.LoadConfig();
            ClientSetup.RequireClients(config, [id], "--id"); // before libtorch starts and the dataset is read
            string? bundle = BundleOf(settings.Certs, id);
            var connection = Connection(settings, bundle, bundleToken: true);
            using var loggers = LoggerFactory.Create(DeploymentCli.ConsoleLogging);
            var logger = loggers.CreateLogger("fedlmt.client");
            TorchRuntime.EnsureInitialized();
            if ((settings.Threads ?? config.Simulation.Threads) is > 0 and var threads) torch.set_num_threads(threads);
            // The partition and tier the simulation's client gets, and only its own data: no strategy, no other client.
            var setup = ClientSetup.Create(config, id, logger);
            var (data, tier) = (setup.Data, setup.Tier);
            var store = new CustomParameterStore(settings.State ?? Path.Combine("runs", $"client-{id}"), id);
            logger.LogInformation("Client {Client}: {Train} training and {Test} test examples of {Dataset}, tier {Tier}; connecting to {Server}",
                id, data.TrainCount, data.TestCount, config.Dataset, tier, connection.Server);
            var client = new FederatedClient(id, tier, data, connection, store, logger, new ClientTrainer(setup.Task)) { ReplyDelay = TimeSpan.FromMilliseconds(settings.ReplyDelay) };
            return ExitCode(client.RunAsync(cancel.Token).GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or FileNotFoundException
                                       or DirectoryNotFoundException or IOException or System.Security.Cryptography.CryptographicException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }

    static int ExitCode(ClientExit exit) => exit switch
    {
        ClientExit.Finished => 0,
        ClientExit.Refused => 3,
        _ => 130,
    };

    /// <summary>A client host: the ids of --ids from one process, the dataset read once, a worker pool for training.</summary>
    static int RunHost(Settings settings, CancellationToken cancellation)
    {
        var ids = ClientIds.Parse(settings.Ids!);
        var config = settings.LoadConfig();
        ClientSetup.RequireClients(config, ids, "--ids");
        if (settings.Cert is not null || settings.Key is not null)
            throw new ArgumentException("--ids with --cert: a client certificate names one client id; a client host proves its ids with a range token (--token-file)");
        // --certs gives the host its CA only: the folder's token and certificate would be one client's.
        var connection = Connection(settings, settings.Certs, bundleToken: false);
        int workers = settings.Workers ?? Environment.ProcessorCount;
        // A host's clients report what goes wrong; their per-task lines (hundreds a round) would cost more than the tasks.
        using var loggers = LoggerFactory.Create(logging =>
        {
            DeploymentCli.ConsoleLogging(logging);
            if (!settings.Verbose) logging.AddFilter("fedlmt.client", LogLevel.Warning);
        });
        var logger = loggers.CreateLogger("fedlmt.host");
        TorchRuntime.EnsureInitialized();
        torch.set_num_threads(settings.Threads ?? Math.Max(1, Environment.ProcessorCount / workers));
        var setups = ClientSetup.ForHost(config, ids, logger);
        var host = new ClientHost(setups.Select(s => new HostedClient(s.ClientId, s.Tier, s.Data)).ToList(), connection, workers,
            settings.State ?? Path.Combine("runs", $"host-{ClientHost.Describe(ids).Replace(',', '_')}"), new ClientTrainer(setups[0].Task), loggers)
        {
            ReplyDelay = TimeSpan.FromMilliseconds(settings.ReplyDelay),
        };
        logger.LogInformation("Host: {Count} clients of {Dataset} ({Ids}); connecting to {Server}", ids.Count, config.Dataset, ClientHost.Describe(ids), connection.Server);
        return ExitCode(host.RunAsync(cancellation).GetAwaiter().GetResult());
    }

    /// <summary>
    /// Where and how to connect: the token from --token, --token-file or FEDLMT_TOKEN (else, with
    /// <paramref name="bundleToken"/>, the bundle's token.txt); the CA and a client certificate from the options or the
    /// bundle folder.
    /// </summary>
    static ClientConnectionOptions Connection(Settings settings, string? bundle, bool bundleToken)
    {
        string? tokenFile = settings.TokenFile ?? (bundleToken && settings.Token is null && Environment.GetEnvironmentVariable("FEDLMT_TOKEN") is null
            ? ExistingIn(bundle, DevelopmentCertificates.TokenFile) : null);
        string token = settings.Token ?? (tokenFile is not null ? File.ReadAllText(tokenFile).Trim() : null)
            ?? Environment.GetEnvironmentVariable("FEDLMT_TOKEN")
            ?? throw new ArgumentException($"a bearer token is required: --token, --token-file, FEDLMT_TOKEN{(bundleToken ? " or a --certs bundle with token.txt" : " (one that admits every id of --ids)")}");
        string? clientCert = settings.Cert ?? (bundleToken ? ExistingIn(bundle, "client.crt") : null);
        return new ClientConnectionOptions
        {
            Server = new Uri(settings.Server!),
            Token = token,
            CaPath = settings.Ca ?? ExistingIn(bundle, "ca.crt"),
            CertificatePath = clientCert,
            KeyPath = settings.Key ?? (clientCert is null ? null : ExistingIn(bundle, "client.key")),
            MaxBackoff = TimeSpan.FromSeconds(settings.MaxBackoff),
            AllowCleartext = settings.Insecure,
        }.Validate();
    }

    /// <summary>The bundle folder --certs names: the folder itself, or its clients/ID when given a whole `fedlmt certs` folder (one machine).</summary>
    static string? BundleOf(string? certs, int id)
    {
        if (certs is null) return null;
        if (!Directory.Exists(certs)) throw new DirectoryNotFoundException($"--certs {certs}: no such folder");
        string own = DevelopmentCertificates.BundleDirectory(certs, id);
        return Directory.Exists(own) ? own : certs;
    }

    static string? ExistingIn(string? directory, string file) =>
        directory is not null && File.Exists(Path.Combine(directory, file)) ? Path.Combine(directory, file) : null;
}
