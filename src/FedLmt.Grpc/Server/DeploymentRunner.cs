using FedLmt.Federated;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Grpc;

/// <summary>When a deployed server runs rounds: how many clients it waits for, how many replies it aggregates with, how long it waits.</summary>
public sealed record DeploymentOptions
{
    /// <summary>Eligible clients that must be connected before a round starts (null: every client of the config).</summary>
    public int? MinClients { get; init; }

    /// <summary>Replies a round needs to be aggregated; with fewer it is retried.</summary>
    public int MinReplies { get; init; } = 1;

    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The pause before a round that got too few replies is tried again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public long MaxUpdateBytes { get; init; } = 4L << 30;

    /// <summary>How often a server waiting for clients says which ones it is still missing.</summary>
    public TimeSpan WaitReport { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// A deployed server's run: the same setup as a simulation (<see cref="RunSetup"/>) and the same round loop
/// (<see cref="RunLoop"/>), with the gRPC grid as transport: rounds wait for clients, are retried with too few replies,
/// and are checkpointed every time. A server started on a folder that holds a checkpoint resumes after its last round.
/// </summary>
public sealed class DeploymentRunner
{
    readonly RunConfig _config;
    readonly string _dir;
    readonly ILogger _logger;
    readonly DeploymentTransport _transport;

    public DeploymentRunner(RunConfig config, string outputDirectory, DeploymentOptions options, ILogger? logger = null)
    {
        _config = config.Validate();
        _dir = outputDirectory;
        _logger = logger ?? NullLogger.Instance;
        int minClients = options.MinClients ?? _config.Federated.NumClients;
        Check(minClients >= 1 && minClients <= _config.Federated.NumClients, "--min-clients", minClients, $"1..{_config.Federated.NumClients}");
        Check(options.MinReplies >= 1, "--min-replies", options.MinReplies, "an integer >= 1");
        Check(options.RoundTimeout > TimeSpan.Zero, "--round-timeout", options.RoundTimeout.TotalSeconds, "a number of seconds > 0");
        bool resume = RunFolder.Prepare(_dir, _config, ResumeMode.IfPresent);

        Setup = RunSetup.Create(_config, _logger);
        MinClients = minClients;
        Registry = new ClientRegistry();
        Grid = new GrpcGrid(Registry, _logger) { RoundTimeout = options.RoundTimeout, MaxUpdateBytes = options.MaxUpdateBytes, ClientOwned = Setup.Strategy.ClientOwns };
        if (resume)
            _logger.LogInformation("Resuming {Name} after round {Round} from {Checkpoint}", _config.Name, RunFolder.Restore(_dir, Setup.Strategy), CheckpointPath);
        Admission = new RunAdmission(Setup, () => Setup.Strategy.CompletedRounds);
        _transport = new DeploymentTransport(Registry, Grid, Admission, options, minClients, _logger);
    }

    public RunSetup Setup { get; }
    public ClientRegistry Registry { get; }
    public GrpcGrid Grid { get; }
    public RunAdmission Admission { get; }
    public IStrategy Strategy => Setup.Strategy;
    public int MinClients { get; }
    public string CheckpointPath => RunFolder.CheckpointPathIn(_dir);

    /// <summary>
    /// Runs the remaining rounds; clients connect through a <see cref="DeploymentHost"/> serving <see cref="Registry"/>
    /// and <see cref="Admission"/>. Cancellation stops after the current round (its checkpoint written). Synchronous:
    /// call it on a thread of its own, where the strategy's tensors live.
    /// </summary>
    public RunSummary Run(IProgress<RoundRecord>? progress = null, CancellationToken cancellation = default) =>
        new RunLoop(Setup, _transport, _dir, _logger).Run(progress, cancellation);

    static void Check(bool ok, string option, object value, string allowed)
    {
        if (!ok) throw new ArgumentException($"{option} = {value} is not allowed; expected {allowed}");
    }
}
