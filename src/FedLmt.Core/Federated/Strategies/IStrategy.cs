using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// The server side of a federated algorithm, transport-blind (Flower's Strategy): which clients train, what each gets,
/// how replies combine, and what each client evaluates. Rounds are 0-based.
/// </summary>
public interface IStrategy
{
    /// <summary>A short name for logs and reports.</summary>
    string Name { get; }

    /// <summary>Rounds aggregated so far: the round a resumed run continues with.</summary>
    int CompletedRounds { get; }

    /// <summary>The clients that train in <paramref name="round"/>; a pure function of the run seed and the round.</summary>
    IReadOnlyList<int> SampleClients(int round);

    /// <summary>
    /// One instruction per client. Throws <see cref="InvalidOperationException"/> if a client would get a model over its
    /// budget. The caller disposes the instructions after the round (their parameters may be borrowed views of server
    /// state, which must not change until then).
    /// </summary>
    IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients);

    /// <summary>
    /// Folds the replies that arrived into the server state; failed clients are simply absent and the weights of the
    /// others renormalize. Returns server-side metrics of the round (<see cref="MetricNames"/>).
    /// </summary>
    IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures);

    /// <summary>What each client evaluates on its own test data: the global model, or its personalized one.</summary>
    IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients);

    /// <summary>Combines client evaluations: the mean over clients (the reference's metric) and the example-weighted mean.</summary>
    EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures);

    /// <summary>A model carrying the current global parameters (caller disposes), or null where there is no single global model.</summary>
    HybridModel? CreateGlobalModel();

    /// <summary>Owned copies of everything a checkpoint needs.</summary>
    ServerState ExportState();

    /// <summary>Restores a state exported by the same strategy with the same options (copies it; the caller keeps it).</summary>
    void ImportState(ServerState state);
}

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
