using System.Diagnostics;
using FedLmt.Cost;
using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Layers;
using FedLmt.Reporting;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

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

/// <summary>
/// The deployment's transport: the connected clients are the available ones; a round waits until enough eligible
/// clients are connected (saying who is missing), a round with too few replies is retried after telling its clients, and
/// each checkpointed round tells its clients that their update counted.
/// </summary>
sealed class DeploymentTransport(ClientRegistry registry, GrpcGrid grid, RunAdmission admission, DeploymentOptions options, int minClients,
    ILogger logger) : IRunTransport
{
    public IClientGrid Grid => grid;
    public IReadOnlyCollection<int> Available => registry.ConnectedIds;
    public int MinReplies => options.MinReplies;
    public bool CheckpointEveryRound => true;

    public void BeforeRound(int round, IReadOnlyList<int> eligible, CancellationToken cancellation) =>
        WaitForClients(Math.Min(minClients, eligible.Count), eligible.ToHashSet(), cancellation);

    public void RoundRetried(int round, string why, CancellationToken cancellation)
    {
        grid.PublishOutcomes(round, aggregated: false, $"round {round + 1} retried: {why}");
        cancellation.WaitHandle.WaitOne(options.RetryDelay);
        cancellation.ThrowIfCancellationRequested();
    }

    public void RoundCommitted(int round, bool checkpointed)
    {
        if (checkpointed) grid.PublishOutcomes(round, aggregated: true);
    }

    public void Finished(int completedRounds)
    {
        admission.Finished = new Finished { CompletedRounds = completedRounds };
        foreach (var session in registry.Sessions) session.Send(new ServerMessage { Finished = admission.Finished });
    }

    /// <summary>
    /// Blocks until <paramref name="count"/> eligible clients are connected, saying every <see cref="DeploymentOptions.WaitReport"/>
    /// which are missing: with --min-clients at its default (all), one dead device stalls the run, and that must show.
    /// </summary>
    void WaitForClients(int count, HashSet<int> eligible, CancellationToken cancellation)
    {
        if (registry.ConnectedIds.Count(eligible.Contains) >= count) return;
        logger.LogInformation("Waiting for {Count} eligible clients to connect ({Connected} connected)", count, registry.ConnectedIds.Count(eligible.Contains));
        var waiting = registry.WaitForAsync(count, eligible.Contains, cancellation);
        while (Task.WhenAny(waiting, Task.Delay(options.WaitReport, cancellation)).GetAwaiter().GetResult() != waiting && !waiting.IsCompleted && !cancellation.IsCancellationRequested)
        {
            var connected = registry.ConnectedIds.Where(eligible.Contains).ToHashSet();
            var missing = eligible.Where(id => !connected.Contains(id)).Order().ToList();
            logger.LogWarning("Still waiting for {More} more of {Count} clients ({Connected} connected); not connected: {Missing}{Rest} (--min-clients sets how many a round needs)",
                count - connected.Count, count, connected.Count, string.Join(", ", missing.Take(20)), missing.Count > 20 ? $" and {missing.Count - 20} more" : "");
        }
        waiting.GetAwaiter().GetResult();
    }
}
