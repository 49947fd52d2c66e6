namespace FedLmt.Federated;

/// <summary>
/// What one training round did: who was sampled and who failed, the learning rate, raw tensor bytes sent down
/// (instructions) and up (replies), whether the replies were aggregated (too few are not: the round is tried again),
/// and the strategy's aggregation metrics (<see cref="MetricNames"/>; empty when not aggregated).
/// </summary>
public sealed record TrainRoundSummary(int Round, IReadOnlyList<int> Sampled, int Replies, IReadOnlyList<ClientFailure> Failures,
    double LearningRate, long BytesDown, long BytesUp, bool Aggregated, IReadOnlyDictionary<string, double> Metrics);
