namespace FedLmt.Simulation;

/// <summary>The end of a run (summary.json): final and best accuracies, total costs, and what FedAvg with the full model would have cost.</summary>
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
    public long TotalBytes { get; init; }
    public double TotalClientMacs { get; init; }
    public double TotalSeconds { get; init; }
    /// <summary>Bytes FedAvg with the full model would have moved for the same sampled clients.</summary>
    public long FedAvgEquivalentBytes { get; init; }
    /// <summary>Client MACs FedAvg with the full model would have spent on the same samples.</summary>
    public double FedAvgEquivalentClientMacs { get; init; }
    public long ModelParameters { get; init; }
    public long FullModelParameters { get; init; }
}
