using FedLmt.Federated;
using FedLmt.Models;

namespace FedLmt.Baselines;

/// <summary>HeteroFL's choice of a tier's width rate: the largest on the grid whose sub-model the tier affords.</summary>
public static class WidthRates
{
    /// <summary>The width sub-model of <paramref name="family"/> at <paramref name="rate"/> (the full-rank model, narrowed).</summary>
    public static ModelSpec SubModel(ModelSpec family, double rate, bool scaleActivations) =>
        family.AsFull() with { SubModelRate = rate, ScaleActivations = scaleActivations };

    /// <summary>The sub-model at the largest rate of <paramref name="rates"/> that <paramref name="tier"/> affords, or null if none fits.</summary>
    public static ModelSpec? LargestAffordable(ModelSpec family, ResourceTier tier, IReadOnlyList<double> rates, bool scaleActivations, ModelCostCatalog costs)
    {
        var full = costs.Of(family.AsFull());
        foreach (double rate in rates.OrderDescending())
        {
            var spec = SubModel(family, rate, scaleActivations);
            if (tier.Affords(costs.Of(spec), full)) return spec;
        }
        return null;
    }
}
