namespace FedLmt.Federated;

/// <summary>
/// pFedLMT's settings: a ratio per resource tier (by tier name), the round at which clients switch to their own ranks,
/// and the shared ratio before it.
/// </summary>
public sealed record PFedLmtOptions
{
    /// <summary>The reference's per-tier ratios, strongest tier first.</summary>
    public static IReadOnlyList<double> ReferenceRatios { get; } = [1.4, 0.6, 0.15, 0.01];

    /// <summary>Ratio of each tier's custom layers, keyed by tier name.</summary>
    public required IReadOnlyDictionary<string, double> TierRatios { get; init; }

    /// <summary>The first personalized round: rounds before it are stage 1 (one shared ratio, everything aggregated); 0, the default, skips stage 1.</summary>
    public int MetaRound { get; init; }

    /// <summary>The shared ratio of stage 1; null takes the smallest tier ratio.</summary>
    public double? Stage1Ratio { get; init; }

    /// <summary>Refuses a bad value, naming the key, the value and what is allowed.</summary>
    public PFedLmtOptions Validate(ClientPopulation clients)
    {
        foreach (var tier in clients.Tiers)
            if (!TierRatios.ContainsKey(tier.Name))
                throw new ArgumentException($"pfedlmt.tier_ratios lacks tier '{tier.Name}'; every tier needs a ratio");
        foreach (var (name, ratio) in TierRatios)
            Check.Require(ratio > 0 && double.IsFinite(ratio), $"pfedlmt.tier_ratios.{name}", ratio, "a finite number > 0");
        Check.Require(MetaRound >= 0, "pfedlmt.meta_round", MetaRound, "an integer >= 0");
        if (Stage1Ratio is double r) Check.Require(r > 0 && double.IsFinite(r), "pfedlmt.stage1_ratio", r, "a finite number > 0");
        return this;
    }

    /// <summary>The stage-1 ratio: given, or the smallest ratio of the tiers present.</summary>
    public double Stage1RatioFor(ClientPopulation clients) => Stage1Ratio ?? clients.Tiers.Min(t => TierRatios[t.Name]);
}
