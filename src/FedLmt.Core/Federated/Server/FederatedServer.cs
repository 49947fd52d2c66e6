using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Federated;

/// <summary>
/// What one training round did: who was sampled and who failed, the learning rate, raw tensor bytes sent down
/// (instructions) and up (replies), and the strategy's aggregation metrics (<see cref="MetricNames"/>).
/// </summary>
public sealed record TrainRoundSummary(int Round, IReadOnlyList<int> Sampled, IReadOnlyList<ClientFailure> Failures, double LearningRate,
    long BytesDown, long BytesUp, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The server loop of one round (Flower's ServerApp): sample, configure, send through the grid, aggregate. The same
/// code runs a simulation (in-process grid) and a deployment (gRPC grid).
/// </summary>
public sealed class FederatedServer(IStrategy strategy, IClientGrid grid, ILogger? logger = null)
{
    readonly ILogger _logger = logger ?? NullLogger.Instance;

    public IStrategy Strategy => strategy;

    /// <summary>Runs training round <paramref name="round"/> (0-based).</summary>
    public TrainRoundSummary RunTrainRound(int round)
    {
        var sampled = strategy.SampleClients(round);
        var instructions = strategy.ConfigureTrain(round, sampled);
        try
        {
            long down = instructions.Sum(i => i.Parameters.Bytes);
            double lr = instructions.Count > 0 ? instructions[0].LearningRate : double.NaN;
            using var result = grid.Train(instructions);
            long up = result.Replies.Sum(r => r.Parameters.Bytes);
            var metrics = strategy.AggregateTrain(round, result.Replies, result.Failures);
            _logger.LogInformation("Round {Round}: {Replies} of {Sampled} clients replied, lr {Lr:G4}, train loss {Loss:F4}",
                round, result.Replies.Count, sampled.Count, lr, metrics.GetValueOrDefault(MetricNames.TrainLoss, double.NaN));
            return new TrainRoundSummary(round, sampled, result.Failures, lr, down, up, metrics);
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
            _logger.LogInformation("Round {Round}: mean client accuracy {Accuracy:P2} over {Clients} clients", round, summary.MeanAccuracy, summary.Clients);
            return summary;
        }
        finally
        {
            foreach (var i in instructions) i.Dispose();
        }
    }
}
