using System.Collections.Concurrent;
using FedLmt.Cost;
using FedLmt.Layers;
using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// <see cref="ModelCost"/> per model spec, measured once: a measurement builds the model and traces a forward pass,
/// while budgets are checked every round. Thread-safe.
/// </summary>
public sealed class ModelCostCatalog
{
    /// <summary>A process-wide catalog (a cost is a pure function of the spec).</summary>
    public static ModelCostCatalog Shared { get; } = new();

    readonly ConcurrentDictionary<ModelSpec, Lazy<ModelCost>> _costs = new();

    /// <summary>The cost of the model <paramref name="spec"/> builds (initialization does not matter: shapes only).</summary>
    public ModelCost Of(ModelSpec spec)
    {
        var key = spec with { Init = FactorInit.Direct };
        return _costs.GetOrAdd(key, k => new Lazy<ModelCost>(() => Measure(k))).Value;
    }

    static ModelCost Measure(ModelSpec spec)
    {
        using var model = ModelFactory.Create(spec, seed: 0); // direct init: no SVDs, the values are irrelevant
        return ModelCost.Measure(model);
    }
}
