using FedLmt.Federated;

namespace FedLmt.Runs;

/// <summary>
/// One row of a run's results (results.jsonl / results.csv). Round is 1-based: the number of rounds done. Costs are
/// exact: bytes are raw tensor bytes of what was sent down and up, client MACs are forward+backward multiply-accumulates
/// (3 x forward) of every sample trained. Evaluation fields are null in rounds without evaluation.
/// </summary>
public sealed record RoundRecord
{
    public int Round { get; init; }
    public double LearningRate { get; init; }
    /// <summary>Clients available when the round was sampled (deployed: connected).</summary>
    public int Connected { get; init; }
    /// <summary>Processes serving them (deployed: client hosts and single devices; a simulation is one).</summary>
    public int Hosts { get; init; }
    public int Sampled { get; init; }
    public int Replies { get; init; }
    public int Failures { get; init; }
    /// <summary>Samples trained this round, over all local epochs of all replying clients.</summary>
    public double SamplesTrained { get; init; }
    public long BytesDown { get; init; }
    public long BytesUp { get; init; }
    public long CumulativeBytes { get; init; }
    public double ClientMacs { get; init; }
    public double CumulativeClientMacs { get; init; }
    /// <summary>Wall time of the round: training, aggregation and, in evaluation rounds, evaluation.</summary>
    public double Seconds { get; init; }
    /// <summary>Wall time of training and aggregation alone.</summary>
    public double TrainSeconds { get; init; }
    public double CumulativeSeconds { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    /// <summary>Accuracy of the global model on the whole test set (null for pFedLMT after personalization: there is none).</summary>
    public double? GlobalAccuracy { get; init; }
    public double? GlobalLoss { get; init; }
    /// <summary>Mean over clients of each client's test accuracy on its own split (the reference's metric; personalized for pFedLMT).</summary>
    public double? ClientMeanAccuracy { get; init; }
    public double? ClientWeightedAccuracy { get; init; }
    public double? SmallestSingularValue { get; init; }
    /// <summary>A language model's global perplexity: exp of the global model's mean test loss per token (null for image tasks).</summary>
    public double? GlobalPerplexity { get; init; }
    /// <summary>A language model's perplexity over the clients' own test splits: exp of their mean loss per token (personalized for pFedLMT).</summary>
    public double? ClientPerplexity { get; init; }

    /// <summary>The headline perplexity: the global model's, else the clients' (null for image tasks).</summary>
    public double? Perplexity => GlobalPerplexity ?? ClientPerplexity;

    /// <summary>
    /// A plot series: (x, metric) of every record whose <paramref name="metric"/> is there and finite (a diverged round's
    /// NaN or infinite perplexity stays in the results, but cannot be drawn).
    /// </summary>
    public static List<(double X, double Y)> Points(IEnumerable<RoundRecord> records, Func<RoundRecord, double> x, Func<RoundRecord, double?> metric) =>
        records.Where(r => metric(r) is double y && double.IsFinite(y)).Select(r => (x(r), metric(r)!.Value)).ToList();

    public bool Evaluated => ClientMeanAccuracy is not null || GlobalAccuracy is not null;

    public static readonly IReadOnlyList<string> CsvHeader =
    [
        "round", "learning_rate", "connected", "hosts", "sampled", "replies", "failures", "samples_trained", "bytes_down", "bytes_up", "cumulative_bytes", "client_macs",
        "cumulative_client_macs", "seconds", "train_seconds", "cumulative_seconds", "train_loss", "train_accuracy", "global_accuracy", "global_loss",
        "client_mean_accuracy", "client_weighted_accuracy", "smallest_singular_value", "global_perplexity", "client_perplexity",
    ];

    public IReadOnlyList<object?> CsvRow() =>
    [
        Round, LearningRate, Connected, Hosts, Sampled, Replies, Failures, SamplesTrained, BytesDown, BytesUp, CumulativeBytes, ClientMacs, CumulativeClientMacs,
        Seconds, TrainSeconds, CumulativeSeconds, TrainLoss, TrainAccuracy, GlobalAccuracy, GlobalLoss, ClientMeanAccuracy, ClientWeightedAccuracy,
        SmallestSingularValue, GlobalPerplexity, ClientPerplexity,
    ];

    /// <summary>The training part of a round's record (evaluation and cumulative figures are added by the runner).</summary>
    public static RoundRecord FromTrainRound(TrainRoundSummary summary, int localEpochs) => new()
    {
        Round = summary.Round + 1,
        LearningRate = summary.LearningRate,
        Sampled = summary.Sampled.Count,
        Replies = summary.Replies,
        Failures = summary.Failures.Count,
        SamplesTrained = summary.Metrics.GetValueOrDefault(MetricNames.NumExamples) * localEpochs, // every example once per epoch
        BytesDown = summary.BytesDown,
        BytesUp = summary.BytesUp,
        ClientMacs = summary.Metrics.GetValueOrDefault(MetricNames.Macs),
        TrainLoss = summary.Metrics.GetValueOrDefault(MetricNames.TrainLoss, double.NaN),
        TrainAccuracy = summary.Metrics.GetValueOrDefault(MetricNames.TrainAccuracy, double.NaN),
    };
}
