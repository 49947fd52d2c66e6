using FedLmt.Cost;

namespace FedLmt.Runs;

/// <summary>The end of a run (summary.json): final and best accuracies (and a language model's perplexities), total costs, and what FedAvg with the full model would have cost.</summary>
public sealed record RunSummary
{
    public required string Name { get; init; }
    public required string Algorithm { get; init; }
    public required string Model { get; init; }
    public int RoundsCompleted { get; init; }
    public int RoundsPlanned { get; init; }
    public bool Interrupted { get; init; }
    public double? FinalGlobalAccuracy { get; init; }
    public double? BestGlobalAccuracy { get; init; }
    public double? FinalClientMeanAccuracy { get; init; }
    public double? BestClientMeanAccuracy { get; init; }
    /// <summary>A language model's perplexity at the last evaluation (the global model's, else the clients'); null for image tasks.</summary>
    public double? FinalPerplexity { get; init; }
    /// <summary>The lowest perplexity over the evaluations.</summary>
    public double? BestPerplexity { get; init; }
    public long TotalBytes { get; init; }
    public double TotalClientMacs { get; init; }
    public double TotalSeconds { get; init; }
    /// <summary>Bytes FedAvg with the full model would have moved for the same sampled clients.</summary>
    public long FedAvgEquivalentBytes { get; init; }
    /// <summary>Client MACs FedAvg with the full model would have spent on the same samples.</summary>
    public double FedAvgEquivalentClientMacs { get; init; }
    public long ModelParameters { get; init; }
    public long FullModelParameters { get; init; }

    /// <summary>
    /// Summarizes a run from its records - totals are the last record's cumulative figures, FedAvg's equivalent cost
    /// is what the full model (<paramref name="full"/>) would have moved and computed for the same sampled clients and
    /// samples - so a simulated and a deployed run summarize identically.
    /// </summary>
    public static RunSummary From(string name, string algorithm, string model, IReadOnlyList<RoundRecord> records, int roundsPlanned,
        bool interrupted, ModelCost full, long modelParameters)
    {
        var evaluated = records.Where(r => r.Evaluated).ToList();
        var last = records.Count == 0 ? null : records[^1];
        return new RunSummary
        {
            Name = name,
            Algorithm = algorithm,
            Model = model,
            RoundsCompleted = last?.Round ?? 0,
            RoundsPlanned = roundsPlanned,
            Interrupted = interrupted,
            FinalGlobalAccuracy = evaluated.LastOrDefault(r => r.GlobalAccuracy is not null)?.GlobalAccuracy,
            BestGlobalAccuracy = evaluated.Max(r => r.GlobalAccuracy),
            FinalClientMeanAccuracy = evaluated.LastOrDefault()?.ClientMeanAccuracy,
            BestClientMeanAccuracy = evaluated.Max(r => r.ClientMeanAccuracy),
            FinalPerplexity = evaluated.LastOrDefault()?.Perplexity,
            BestPerplexity = evaluated.Min(r => r.Perplexity),
            TotalBytes = last?.CumulativeBytes ?? 0,
            TotalClientMacs = last?.CumulativeClientMacs ?? 0,
            TotalSeconds = last?.CumulativeSeconds ?? 0,
            FedAvgEquivalentBytes = records.Sum(r => 2L * r.Sampled * full.PayloadBytes),
            FedAvgEquivalentClientMacs = records.Sum(r => 3.0 * full.MacsPerSample * r.SamplesTrained),
            ModelParameters = modelParameters,
            FullModelParameters = full.Parameters,
        };
    }
}
