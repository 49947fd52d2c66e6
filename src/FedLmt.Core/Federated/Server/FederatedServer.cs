using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Federated;

/// <summary>
/// The server loop of one round (Flower's ServerApp): sample, configure, send through the grid, aggregate. The same
/// code runs a simulation (in-process grid) and a deployment (gRPC grid).
/// </summary>
public sealed class FederatedServer(IStrategy strategy, IClientGrid grid, ILogger? logger = null)
{
    readonly ILogger _logger = logger ?? NullLogger.Instance;

    public IStrategy Strategy => strategy;

    /// <summary>
    /// Runs training round <paramref name="round"/> (0-based) among the <paramref name="available"/> clients (null: all).
    /// With fewer than <paramref name="minReplies"/> replies the strategy is not told of them and the summary says not
    /// aggregated.
    /// </summary>
    public TrainRoundSummary RunTrainRound(int round, IReadOnlyCollection<int>? available = null, int minReplies = 0)
    {
        var sampled = strategy.SampleClients(round, available ?? strategy.EligibleClients);
        var instructions = strategy.ConfigureTrain(round, sampled);
        try
        {
            long down = instructions.Sum(i => i.Parameters.Bytes);
            double lr = instructions.Count > 0 ? instructions[0].LearningRate : double.NaN;
            using var result = grid.Train(instructions);
            long up = result.Replies.Sum(r => r.Parameters.Bytes);
            if (result.Replies.Count < minReplies)
                return new TrainRoundSummary(round, sampled, result.Replies.Count, result.Failures, lr, down, up, Aggregated: false,
                    new Dictionary<string, double>(StringComparer.Ordinal));
            var metrics = strategy.AggregateTrain(round, result.Replies, result.Failures);
            _logger.LogInformation("Round {Round}: {Replies} of {Sampled} clients replied, lr {Lr:G4}, train loss {Loss:F4}",
                round + 1, result.Replies.Count, sampled.Count, lr, metrics.GetValueOrDefault(MetricNames.TrainLoss, double.NaN));
            return new TrainRoundSummary(round, sampled, result.Replies.Count, result.Failures, lr, down, up, Aggregated: true, metrics);
        }
        finally
        {
            foreach (var i in instructions) i.Dispose();
        }
    }

    /// <summary>Has <paramref name="clients"/> evaluate what the strategy gives them on their own test data.</summary>
    public EvaluationSummary RunEvaluation(int round, IReadOnlyList<int> clients)
    {
        var instructions = strategy.ConfigureEvaluate(round, clients);
        try
        {
            using var result = grid.Evaluate(instructions);
            var summary = strategy.AggregateEvaluate(round, result.Replies, result.Failures);
            _logger.LogInformation("Round {Round}: mean client accuracy {Accuracy:P2} over {Clients} clients", round + 1, summary.MeanAccuracy, summary.Clients);
            return summary;
        }
        finally
        {
            foreach (var i in instructions) i.Dispose();
        }
    }
}
