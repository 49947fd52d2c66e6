using System.Diagnostics;
using FedLmt.Cost;
using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Layers;
using FedLmt.Reporting;
using FedLmt.Simulation;
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
/// A deployed server's run: the same setup as a simulation (<see cref="RunSetup"/>), the gRPC grid instead of the
/// in-process one, and the round loop with waiting for clients, retries, evaluation, results and a checkpoint after
/// every round. A server started on a folder that holds a checkpoint resumes after its last round.
/// </summary>
public sealed class DeploymentRunner
{
    readonly SimulationConfig _config;
    readonly string _dir;
    readonly DeploymentOptions _options;
    readonly ILogger _logger;

    public DeploymentRunner(SimulationConfig config, string outputDirectory, DeploymentOptions options, ILogger? logger = null)
    {
        _config = config.Validate();
        _dir = outputDirectory;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        Directory.CreateDirectory(_dir);
        string configText = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Serialize(_config);
        string configPath = Path.Combine(_dir, "config.yaml");
        if (File.Exists(CheckpointPath) && File.Exists(configPath) && File.ReadAllText(configPath) != configText)
            throw new InvalidOperationException($"{_dir} holds a run with another config ({configPath}); restart with the same config or use another --out");
        AtomicFile.WriteAllText(configPath, configText);

        Setup = RunSetup.Create(_config, _logger);
        int minClients = options.MinClients ?? _config.Federated.NumClients;
        Check(minClients >= 1 && minClients <= _config.Federated.NumClients, "--min-clients", minClients, $"1..{_config.Federated.NumClients}");
        Check(options.MinReplies >= 1, "--min-replies", options.MinReplies, "an integer >= 1");
        Check(options.RoundTimeout > TimeSpan.Zero, "--round-timeout", options.RoundTimeout.TotalSeconds, "a number of seconds > 0");
        MinClients = minClients;
        Registry = new ClientRegistry();
        Grid = new GrpcGrid(Registry, _logger) { RoundTimeout = options.RoundTimeout, MaxUpdateBytes = options.MaxUpdateBytes };
        if (Setup.Strategy is PFedLmtStrategy p) Grid.ClientOwned = name => p.Personalized && !p.IsCommon(name);
        Strategy = new ConnectedClientsStrategy(Setup.Strategy, Setup.Options, () => Registry.ConnectedIds, options.MinReplies);
        if (File.Exists(CheckpointPath))
        {
            using var state = CheckpointStore.Load(CheckpointPath);
            Setup.Strategy.ImportState(state);
            _logger.LogInformation("Resuming {Name} after round {Round} from {Checkpoint}", _config.Name, state.CompletedRounds, CheckpointPath);
        }
        Admission = new RunAdmission(Setup, () => Setup.Strategy.CompletedRounds);
    }

    public RunSetup Setup { get; }
    public ClientRegistry Registry { get; }
    public GrpcGrid Grid { get; }
    public RunAdmission Admission { get; }
    public ConnectedClientsStrategy Strategy { get; }
    public int MinClients { get; }
    public string CheckpointPath => Path.Combine(_dir, "checkpoint.bin");

    /// <summary>
    /// Runs the remaining rounds; clients connect through a <see cref="DeploymentHost"/> serving <see cref="Registry"/>
    /// and <see cref="Admission"/>. Cancellation stops after the current round (its checkpoint written). Synchronous:
    /// call it on a thread of its own, where the strategy's tensors live.
    /// </summary>
    public RunSummary Run(IProgress<RoundRecord>? progress = null, CancellationToken cancellation = default)
    {
        var setup = Setup;
        var server = new FederatedServer(Strategy, Grid, _logger);
        var wholeTest = new PartitionedClientData(setup.Data, [], Enumerable.Range(0, setup.Data.Test.Count).ToArray());
        int start = Strategy.CompletedRounds;
        var fullCost = ModelCostCatalog.Shared.Of(setup.Spec.AsFull());
        long modelParameters;
        using (var probe = Strategy.CreateGlobalModel())
            modelParameters = probe is null ? fullCost.Parameters : ModelCost.Measure(probe).Parameters;
        using var recorder = new RunRecorder(_dir, start);
        var previous = recorder.Records.LastOrDefault();
        long cumBytes = previous?.CumulativeBytes ?? 0;
        double cumMacs = previous?.CumulativeClientMacs ?? 0, cumSeconds = previous?.CumulativeSeconds ?? 0;
        var eligible = Strategy.EligibleClients.ToHashSet();
        int minConnected = Math.Min(MinClients, eligible.Count);

        int rounds = _config.Federated.Rounds;
        int round = start;
        bool interrupted = false;
        try
        {
            for (; round < rounds; round++)
            {
                TrainRoundSummary summary;
                Stopwatch watch;
                while (true)
                {
                    WaitForClients(minConnected, eligible, cancellation);
                    watch = Stopwatch.StartNew(); // the round's cost, not the wait for clients
                    summary = server.RunTrainRound(round);
                    if (summary.Metrics.GetValueOrDefault(ConnectedClientsStrategy.Aggregated) == 1) break;
                    string why = $"only {summary.Metrics.GetValueOrDefault(MetricNames.Replies)} of {summary.Sampled.Count} sampled clients replied; at least {_options.MinReplies} needed";
                    Grid.PublishOutcomes(round, aggregated: false, $"round {round + 1} retried: {why}");
                    _logger.LogWarning("Round {Round}: {Why}; retrying the round", round + 1, why);
                    cancellation.WaitHandle.WaitOne(_options.RetryDelay);
                    cancellation.ThrowIfCancellationRequested();
                }
                double trainSeconds = watch.Elapsed.TotalSeconds;
                var record = RoundRecord.FromTrainRound(summary, _config.Local.Epochs);
                if (_config.EvaluatesAfter(round))
                    record = Evaluate(server, wholeTest, round, record);
                watch.Stop();
                cumBytes += record.BytesDown + record.BytesUp;
                cumMacs += record.ClientMacs;
                cumSeconds += watch.Elapsed.TotalSeconds;
                record = record with
                {
                    CumulativeBytes = cumBytes, CumulativeClientMacs = cumMacs, Seconds = watch.Elapsed.TotalSeconds,
                    TrainSeconds = trainSeconds, CumulativeSeconds = cumSeconds,
                };
                recorder.Append(record);
                using (var state = Strategy.ExportState()) CheckpointStore.Save(CheckpointPath, state);
                Grid.PublishOutcomes(round, aggregated: true);
                progress?.Report(record);
                if (cancellation.IsCancellationRequested && round + 1 < rounds)
                {
                    interrupted = true;
                    round++;
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
        }

        if (!interrupted)
        {
            Admission.Finished = new Finished { CompletedRounds = Strategy.CompletedRounds };
            foreach (var session in Registry.Sessions) session.Send(new ServerMessage { Finished = Admission.Finished });
        }
        var result = RunSummary.From(_config.Name, Strategy.Name, setup.DescribeModel(), recorder.Records, rounds, interrupted, fullCost, modelParameters);
        recorder.Finish(result);
        return result;
    }

    /// <summary>
    /// Blocks until <paramref name="count"/> eligible clients are connected, saying every <see cref="DeploymentOptions.WaitReport"/>
    /// which are missing: with --min-clients at its default (all), one dead device stalls the run, and that must show.
    /// </summary>
    void WaitForClients(int count, HashSet<int> eligible, CancellationToken cancellation)
    {
        if (Registry.ConnectedIds.Count(eligible.Contains) >= count) return;
        _logger.LogInformation("Waiting for {Count} eligible clients to connect ({Connected} connected)", count, Registry.ConnectedIds.Count(eligible.Contains));
        var waiting = Registry.WaitForAsync(count, eligible.Contains, cancellation);
        while (Task.WhenAny(waiting, Task.Delay(_options.WaitReport, cancellation)).GetAwaiter().GetResult() != waiting && !waiting.IsCompleted && !cancellation.IsCancellationRequested)
        {
            var connected = Registry.ConnectedIds.Where(eligible.Contains).ToHashSet();
            var missing = eligible.Where(id => !connected.Contains(id)).Order().ToList();
            _logger.LogWarning("Still waiting for {More} more of {Count} clients ({Connected} connected); not connected: {Missing}{Rest} (--min-clients sets how many a round needs)",
                count - connected.Count, count, connected.Count, string.Join(", ", missing.Take(20)), missing.Count > 20 ? $" and {missing.Count - 20} more" : "");
        }
        waiting.GetAwaiter().GetResult();
    }

    /// <summary>The connected clients evaluate their models on their own test splits; the server evaluates the global model on the whole test set.</summary>
    RoundRecord Evaluate(FederatedServer server, PartitionedClientData wholeTest, int round, RoundRecord record)
    {
        var clients = server.RunEvaluation(round, Registry.ConnectedIds);
        record = record with { ClientMeanAccuracy = clients.MeanAccuracy, ClientWeightedAccuracy = clients.WeightedAccuracy };
        using var global = Strategy.CreateGlobalModel();
        if (global is null) return record;
        var result = ModelEvaluator.Evaluate(global, wholeTest.TestBatches(_config.Evaluation.BatchSize));
        return record with { GlobalAccuracy = result.Accuracy, GlobalLoss = result.Loss, SmallestSingularValue = FactorHealth.SmallestSingularValue(global) };
    }

    static void Check(bool ok, string option, object value, string allowed)
    {
        if (!ok) throw new ArgumentException($"{option} = {value} is not allowed; expected {allowed}");
    }
}
