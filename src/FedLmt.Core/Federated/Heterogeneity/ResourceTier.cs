using FedLmt.Cost;

namespace FedLmt.Federated;

/// <summary>
/// A class of clients by capability: its share of the population and what it can afford, as fractions of the full
/// model's forward MACs per sample and of its parameters (null: no limit on that axis).
/// </summary>
public sealed record ResourceTier(string Name, double Share, double? MacsBudget = null, double? ParamsBudget = null)
{
    /// <summary>A tier without limits: every client can afford the full model.</summary>
    public static ResourceTier Unconstrained(double share = 1.0) => new("unconstrained", share);

    /// <summary>Whether a model of cost <paramref name="cost"/> fits, the full model costing <paramref name="full"/>.</summary>
    public bool Affords(ModelCost cost, ModelCost full) =>
        (MacsBudget is not double m || cost.MacsPerSample <= m * full.MacsPerSample + 1e-9) &&
        (ParamsBudget is not double p || cost.Parameters <= p * full.Parameters + 1e-9);

    /// <summary>Refuses a bad tier, naming the key, the value and what is allowed.</summary>
    public ResourceTier Validate()
    {
        Check.Require(!string.IsNullOrWhiteSpace(Name), "tier.name", Name, "a non-empty name");
        Check.Require(Share >= 0 && Share <= 1, $"tiers.{Name}.share", Share, "a number in [0, 1]");
        if (MacsBudget is double m) Check.Require(m > 0 && double.IsFinite(m), $"tiers.{Name}.macs_budget", m, "a finite fraction > 0 of the full model's MACs");
        if (ParamsBudget is double p) Check.Require(p > 0 && double.IsFinite(p), $"tiers.{Name}.params_budget", p, "a finite fraction > 0 of the full model's parameters");
        return this;
    }

    public override string ToString() =>
        $"tier '{Name}' (MACs budget {(MacsBudget is double m ? m.ToString("0.####") : "unlimited")}, " +
        $"params budget {(ParamsBudget is double p ? p.ToString("0.####") : "unlimited")} of the full model)";
}
