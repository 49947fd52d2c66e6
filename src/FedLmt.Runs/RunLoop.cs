using System.Diagnostics;
using FedLmt.Cost;
using FedLmt.Federated;
using FedLmt.Layers;
using Microsoft.Extensions.Logging;

namespace FedLmt.Runs;

/// <summary>
/// The round loop of every run, simulated or deployed: train (tried again while a transport gets too few replies),
/// evaluate when due, record, checkpoint, and at the end summarize. The strategy's state must already be where the
/// run starts (a resumed run imported its checkpoint).
/// </summary>
public sealed class RunLoop(RunSetup setup, IRunTransport transport, string directory, ILogger logger)
{
    /// <summary>The checkpoint the loop writes.</summary>
    public string CheckpointPath => RunFolder.CheckpointPathIn(directory);

    /// <summary>
    /// Runs from the strategy's completed rounds to the configured number. Cancellation ends the run after the current
    /// round (or while waiting for one), with a checkpoint and every output written.
    /// </summary>
    public RunSummary Run(IProgress<RoundRecord>? progress = null, CancellationToken cancellation = default)
    {
        var config = setup.Config;
        var strategy = setup.Strategy;
        var server = new FederatedServer(strategy, transport.Grid, logger);
        var wholeTest = new PartitionedClientData(setup.Data, [], Enumerable.Range(0, setup.Data.Test.Count).ToArray(), setup.Config.TextTask());
        int start = strategy.CompletedRounds;
        var fullCost = ModelCostCatalog.Shared.Of(setup.Spec.AsFull());
        long modelParameters;
        using (var probe = strategy.CreateGlobalModel())
            modelParameters = probe is null ? fullCost.Parameters : ModelCost.Measure(probe).Parameters;
        using var recorder = new RunRecorder(directory, start);
        var previous = recorder.Records.LastOrDefault();
        long cumBytes = previous?.CumulativeBytes ?? 0;
        double cumMacs = previous?.CumulativeClientMacs ?? 0, cumSeconds = previous?.CumulativeSeconds ?? 0;
        int checkpointEvery = transport.CheckpointEveryRound ? 1 : config.Checkpoint.Every;

        int rounds = config.Federated.Rounds;
        int round = start;
        bool interrupted = false, checkpointed = false;
        for (; round < rounds; round++)
        {
            if (cancellation.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            if (!TryTrainRound(server, round, strategy.EligibleClients, cancellation, out var summary, out var watch, out var served))
            {
                interrupted = true;
                break;
            }
            double trainSeconds = watch.Elapsed.TotalSeconds;
            var record = RoundRecord.FromTrainRound(summary, config.Local.Epochs) with { Connected = served.Connected, Hosts = served.Hosts };
            if (config.EvaluatesAfter(round)) record = Evaluate(server, wholeTest, round, record);
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
            checkpointed = (round + 1) % checkpointEvery == 0 || round + 1 == rounds || cancellation.IsCancellationRequested;
            if (checkpointed) SaveCheckpoint(strategy);
            transport.RoundCommitted(round, checkpointed);
            progress?.Report(record);
        }
        if (round < rounds && !checkpointed) SaveCheckpoint(strategy);
        if (!interrupted) transport.Finished(strategy.CompletedRounds);

        var result = RunSummary.From(config.Name, strategy.Name, strategy.Description, recorder.Records, rounds, interrupted, fullCost, modelParameters);
        recorder.Finish(result);
        return result;
    }

    /// <summary>Trains round <paramref name="round"/> until it is aggregated; false when stopped first.</summary>
    bool TryTrainRound(FederatedServer server, int round, IReadOnlyList<int> eligible, CancellationToken cancellation,
        out TrainRoundSummary summary, out Stopwatch watch, out (int Connected, int Hosts) served)
    {
        served = default;
        try
        {
            while (true)
            {
                transport.BeforeRound(round, eligible, cancellation);
                watch = Stopwatch.StartNew(); // the round's cost, not the wait for clients
                var available = transport.Available;
                served = (available.Count, transport.Hosts);
                summary = server.RunTrainRound(round, available, transport.MinReplies);
                if (summary.Aggregated) return true;
                string why = $"only {summary.Replies} of {summary.Sampled.Count} sampled clients replied; at least {transport.MinReplies} needed";
                logger.LogWarning("Round {Round}: {Why}; retrying the round", round + 1, why);
                transport.RoundRetried(round, why, cancellation);
            }
        }
        catch (OperationCanceledException)
        {
            (summary, watch) = (null!, null!);
            return false;
        }
    }

    void SaveCheckpoint(IStrategy strategy)
    {
        using var state = strategy.ExportState();
        CheckpointStore.Save(CheckpointPath, state);
    }

    /// <summary>The available clients evaluate their models on their own test splits; the global model is evaluated on the whole test set.</summary>
    RoundRecord Evaluate(FederatedServer server, PartitionedClientData wholeTest, int round, RoundRecord record)
    {
        var clients = server.RunEvaluation(round, transport.Available.Order().ToList());
        bool perplexity = setup.Task.ReportsPerplexity;
        record = record with
        {
            ClientMeanAccuracy = clients.MeanAccuracy,
            ClientWeightedAccuracy = clients.WeightedAccuracy,
            ClientPerplexity = perplexity ? Math.Exp(clients.WeightedLoss) : null, // loss per token, weighted by windows of equal length
        };
        using var global = setup.Strategy.CreateGlobalModel();
        if (global is null) return record;
        var result = ModelEvaluator.Evaluate(global, wholeTest.TestBatches(setup.Config.Evaluation.BatchSize), setup.Task);
        double smallest = FactorHealth.SmallestSingularValue(global);
        return record with
        {
            GlobalAccuracy = result.Accuracy,
            GlobalLoss = result.Loss,
            GlobalPerplexity = perplexity ? Math.Exp(result.Loss) : null,
            SmallestSingularValue = double.IsNaN(smallest) ? null : smallest, // NaN: a full-rank model has no factors (and JSON has no NaN)
        };
    }
}
