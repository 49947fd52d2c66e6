using System.Globalization;

namespace FedLmt.Baselines;

/// <summary>How a width sub-model's reply counts in HeteroFL/FedRolex aggregation.</summary>
public enum ReplyWeighting
{
    /// <summary>By the client's training examples, as FedAvg, FedLMT and FedHM weigh here (the default).</summary>
    Examples,

    /// <summary>Every client holding an element counts once, as the HeteroFL and FedRolex reference code does.</summary>
    Clients,
}

/// <summary>
/// Settings of the width baselines (HeteroFL, FedRolex): the grid of width rates a tier may get (it gets the largest it
/// affords), the training-time activation scaler, and the aggregation weights.
/// </summary>
public sealed record BaselineOptions
{
    /// <summary>HeteroFL's rate grid: 1, 1/2, 1/4, 1/8, 1/16.</summary>
    public static IReadOnlyList<double> DefaultRates { get; } = [1.0, 0.5, 0.25, 0.125, 0.0625];

    public IReadOnlyList<double> Rates { get; init; } = DefaultRates;

    /// <summary>Divide hidden activations by the rate while training (HeteroFL's scaler).</summary>
    public bool ScaleActivations { get; init; } = true;

    public ReplyWeighting Weighting { get; init; } = ReplyWeighting.Examples;

    /// <summary>Refuses a bad value, naming the key, the value and what is allowed.</summary>
    public BaselineOptions Validate()
    {
        if (Rates.Count == 0) throw new ArgumentException("baselines.rates is empty; expected at least one width rate in (0, 1]");
        foreach (var r in Rates)
            if (!(r > 0 && r <= 1))
                throw new ArgumentException($"baselines.rates = {r.ToString(CultureInfo.InvariantCulture)} is not allowed; expected width rates in (0, 1]");
        if (Rates.Distinct().Count() != Rates.Count) throw new ArgumentException($"baselines.rates lists a rate twice: {string.Join(", ", Rates)}");
        if (!Enum.IsDefined(Weighting)) throw new ArgumentException($"baselines.weighting = {Weighting} is not allowed; expected examples, clients");
        return this;
    }
}
