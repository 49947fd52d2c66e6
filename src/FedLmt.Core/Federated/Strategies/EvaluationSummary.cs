namespace FedLmt.Federated;

/// <summary>
/// A round's evaluation over clients: MeanAccuracy is the mean of the per-client accuracies (the reference's metric),
/// WeightedAccuracy the accuracy over all test samples of the clients that replied; likewise for the loss.
/// </summary>
public sealed record EvaluationSummary(int Round, int Clients, int Failures, long Examples, double MeanAccuracy, double WeightedAccuracy,
    double MeanLoss, double WeightedLoss)
{
    /// <summary>Summarizes replies; clients without test data count in neither mean.</summary>
    public static EvaluationSummary From(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        var withData = replies.Where(r => r.NumExamples > 0).ToList();
        double Mean(string key) => withData.Count == 0 ? double.NaN : withData.Average(r => r.Metrics[key]);
        double Weighted(string key) => WeightedAverage.OfMetric(withData.Select(r => (r.Metrics, r.NumExamples)), key);
        return new EvaluationSummary(round, replies.Count, failures.Count, withData.Sum(r => r.NumExamples),
            Mean(MetricNames.TestAccuracy), Weighted(MetricNames.TestAccuracy), Mean(MetricNames.TestLoss), Weighted(MetricNames.TestLoss));
    }
}
