namespace FedLmt.Federated;

/// <summary>The server-side metrics every strategy reports for a training round (<see cref="MetricNames"/>).</summary>
public static class TrainRoundMetrics
{
    /// <summary>Reply/failure counts, examples, example-weighted train loss and accuracy, and the clients' total MACs.</summary>
    public static IReadOnlyDictionary<string, double> Of(IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        var weighted = replies.Select(r => (r.Metrics, r.NumExamples)).ToList();
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Replies] = replies.Count,
            [MetricNames.Failures] = failures.Count,
            [MetricNames.NumExamples] = replies.Sum(r => r.NumExamples),
            [MetricNames.TrainLoss] = WeightedAverage.OfMetric(weighted, MetricNames.TrainLoss),
            [MetricNames.TrainAccuracy] = WeightedAverage.OfMetric(weighted, MetricNames.TrainAccuracy),
            [MetricNames.Macs] = replies.Sum(r => r.Metrics.GetValueOrDefault(MetricNames.Macs)),
        };
    }
}
