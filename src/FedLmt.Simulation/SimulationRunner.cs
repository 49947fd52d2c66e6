using System.Diagnostics;
using FedLmt.Cost;
using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;
using FedLmt.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FedLmt.Simulation;

/// <summary>
/// Runs a simulated federation in this process: data, partition, tiers, strategy, the in-process grid, and the round
/// loop with evaluation, results, checkpoints and resume. Output goes to one folder: config.yaml, results.jsonl/csv,
/// summary.json, PNG plots, tb/ (TensorBoard) and checkpoint.bin.
/// </summary>
public sealed class SimulationRunner
{
    readonly SimulationConfig _config;
    readonly string _dir;
    readonly ILogger _logger;

    public SimulationRunner(SimulationConfig config, string outputDirectory, ILogger? logger = null)
    {
        _config = config.Validate();
        _dir = outputDirectory;
        _logger = logger ?? NullLogger.Instance;
    }

    public string CheckpointPath => Path.Combine(_dir, "checkpoint.bin");

    /// <summary>Rounds a resumable checkpoint in the output folder has completed (0: none).</summary>
    public int CheckpointRounds() => File.Exists(CheckpointPath) ? CheckpointStore.Load(CheckpointPath).Using(s => s.CompletedRounds) : 0;

    /// <summary>
    /// Runs to the configured number of rounds. With <paramref name="resume"/>, continues from the checkpoint in the
    /// output folder (it must exist and the config must match). Cancellation ends the run after the current round,
    /// with a checkpoint and all outputs written.
    /// </summary>
    public RunSummary Run(bool resume = false, IProgress<RoundRecord>? progress = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(_dir);
        string configText = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Serialize(_config);
        string configPath = Path.Combine(_dir, "config.yaml");
        if (resume)
        {
            if (!File.Exists(CheckpointPath))
                throw new InvalidOperationException($"--resume: no checkpoint at {CheckpointPath}; start a fresh run instead");
            if (File.Exists(configPath) && File.ReadAllText(configPath) != configText)
                throw new InvalidOperationException($"--resume: the config differs from the one in {configPath}; resume with the same config (or use another --out)");
        }
        else if (File.Exists(CheckpointPath))
            throw new InvalidOperationException($"{_dir} already holds a run (checkpoint.bin); pass --resume to continue it or choose another --out");
        AtomicFile.WriteAllText(configPath, configText);

        var setup = RunSetup.Create(_config, _logger);
        var (data, clients, population, spec, strategy) = (setup.Data, setup.Clients, setup.Population, setup.Spec, setup.Strategy);
        // The worker count never changes results; the intra-op thread count can, in the last bits of float sums, so
        // it changes only when asked for (with several workers, threads x workers <= cores avoids oversubscription).
        if (_config.Simulation.Threads > 0) torch.set_num_threads(_config.Simulation.Threads);
        var grid = new InProcessGrid(id => clients[id], new ClientTrainer(), _config.Simulation.Workers);
        var server = new FederatedServer(strategy, grid, _logger);
        var wholeTest = new PartitionedClientData(data, [], Enumerable.Range(0, data.Test.Count).ToArray());

        int start = 0;
        if (resume)
        {
            using var state = CheckpointStore.Load(CheckpointPath);
            strategy.ImportState(state);
            start = state.CompletedRounds;
            _logger.LogInformation("Resuming {Name} after round {Round}", _config.Name, start);
        }

        var fullCost = ModelCostCatalog.Shared.Of(spec.AsFull());
        using var globalProbe = strategy.CreateGlobalModel();
        long modelParameters = globalProbe is null ? fullCost.Parameters : ModelCost.Measure(globalProbe).Parameters;
        using var recorder = new RunRecorder(_dir, start);
        var previous = recorder.Records.LastOrDefault();
        long cumBytes = previous?.CumulativeBytes ?? 0;
        double cumMacs = previous?.CumulativeClientMacs ?? 0, cumSeconds = previous?.CumulativeSeconds ?? 0;

        bool interrupted = false;
        int rounds = _config.Federated.Rounds;
        int round = start;
        for (; round < rounds; round++)
        {
            if (cancellation.IsCancellationRequested) { interrupted = true; break; }
            var watch = Stopwatch.StartNew();
            var summary = server.RunTrainRound(round);
            double trainSeconds = watch.Elapsed.TotalSeconds;
            var record = RoundRecord.FromTrainRound(summary, _config.Local.Epochs);
            if (_config.EvaluatesAfter(round)) record = Evaluate(server, strategy, population, wholeTest, round, record);
            watch.Stop();
            cumBytes += record.BytesDown + record.BytesUp;
            cumMacs += record.ClientMacs;
            cumSeconds += watch.Elapsed.TotalSeconds;
            record = record with
            {
                CumulativeBytes = cumBytes, CumulativeClientMacs = cumMacs, Seconds = watch.Elapsed.TotalSeconds, TrainSeconds = trainSeconds,
                CumulativeSeconds = cumSeconds,
            };
            recorder.Append(record);
            bool last = round + 1 == rounds;
            if ((round + 1) % _config.Checkpoint.Every == 0 || last || cancellation.IsCancellationRequested)
            {
                using var state = strategy.ExportState();
                CheckpointStore.Save(CheckpointPath, state);
            }
            progress?.Report(record);
        }
        if (interrupted || round < rounds)
        {
            using var state = strategy.ExportState();
            CheckpointStore.Save(CheckpointPath, state);
        }

        var result = RunSummary.From(_config.Name, strategy.Name, setup.DescribeModel(), recorder.Records, rounds, interrupted, fullCost, modelParameters);
        recorder.Finish(result);
        return result;
    }

    RoundRecord Evaluate(FederatedServer server, IStrategy strategy, ClientPopulation population, PartitionedClientData wholeTest,
        int round, RoundRecord record)
    {
        var clients = server.RunEvaluation(round, population.Clients);
        record = record with { ClientMeanAccuracy = clients.MeanAccuracy, ClientWeightedAccuracy = clients.WeightedAccuracy };
        using var global = strategy.CreateGlobalModel();
        if (global is null) return record;
        var result = ModelEvaluator.Evaluate(global, wholeTest.TestBatches(_config.Evaluation.BatchSize));
        double smallest = FactorHealth.SmallestSingularValue(global);
        return record with
        {
            GlobalAccuracy = result.Accuracy,
            GlobalLoss = result.Loss,
            SmallestSingularValue = double.IsNaN(smallest) ? null : smallest, // NaN: a full-rank model has no factors (and JSON has no NaN)
        };
    }
}

static class DisposableExtensions
{
    public static TResult Using<T, TResult>(this T value, Func<T, TResult> f) where T : IDisposable
    {
        using (value) return f(value);
    }
}
