using Microsoft.Extensions.Logging;

namespace FedLmt.Federated;

/// <summary>
/// FedLMT: FedAvg on one shared pre-factorized low-rank hybrid that every client can afford. The ratio is given, or
/// the largest on a 0.01 grid that the weakest tier affords (<see cref="RatioSearch"/>); all entries are averaged.
/// </summary>
public class FedLmtStrategy : FedAvgStrategy
{
    /// <summary>FedLMT at <paramref name="ratio"/>, or (null) at the largest ratio every tier affords.</summary>
    public FedLmtStrategy(StrategyOptions options, double? ratio = null, ModelCostCatalog? costs = null, ILogger? logger = null)
        : base("fedlmt", options,
            options.Model.WithRatio(ratio ?? RatioSearch.LargestAffordable(options.Model, options.Clients.Tiers, costs ?? ModelCostCatalog.Shared)),
            options.Clients, requireAll: true, costs, logger)
    {
        Logger.LogInformation("FedLMT: shared ratio {Ratio} from {Start} ({Chosen})", Ratio, GlobalSpec.DecomposeFrom, ratio is null ? "searched" : "given");
    }

    /// <summary>The shared ratio.</summary>
    public double Ratio => GlobalSpec.Ratio!.Value;
}
