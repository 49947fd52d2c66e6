using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// The clients of a run (ids 0..N-1) and the resource tier of each, assigned reproducibly from a seed; the one place
/// that decides whether a client can afford a model.
/// </summary>
public sealed class ClientPopulation
{
    readonly ResourceTier[] _tierOf;

    public ClientPopulation(IReadOnlyList<ResourceTier> tierOfClient)
    {
        if (tierOfClient.Count == 0) throw new ArgumentException("a population needs at least one client");
        foreach (var t in tierOfClient) t.Validate();
        _tierOf = [.. tierOfClient];
        Tiers = _tierOf.DistinctBy(t => t.Name).ToList();
        if (Tiers.Count != _tierOf.Distinct().Count())
            throw new ArgumentException("two different tiers share a name; tier names must be unique");
    }

    /// <summary>
    /// Assigns <paramref name="tiers"/> to <paramref name="numClients"/> clients: round(share x N) clients per tier
    /// (largest remainders fill the rest, ties to the earlier tier), placed by a seeded shuffle of the client ids.
    /// </summary>
    public static ClientPopulation Assign(IReadOnlyList<ResourceTier> tiers, int numClients, long seed)
    {
        Check.Require(numClients >= 1, "federated.num_clients", numClients, "an integer >= 1");
        if (tiers.Count == 0) throw new ArgumentException("tiers: at least one tier is needed");
        foreach (var t in tiers) t.Validate();
        double shareSum = tiers.Sum(t => t.Share);
        Check.Require(Math.Abs(shareSum - 1) < 1e-6, "tiers (sum of shares)", shareSum, "shares that sum to 1");
        if (tiers.Select(t => t.Name).Distinct().Count() != tiers.Count) throw new ArgumentException("tiers: names must be unique");

        var exact = tiers.Select(t => t.Share * numClients).ToArray();
        var counts = exact.Select(e => (int)Math.Floor(e + 1e-9)).ToArray();
        int missing = numClients - counts.Sum();
        foreach (int i in Enumerable.Range(0, tiers.Count).OrderByDescending(i => exact[i] - counts[i]).ThenBy(i => i).Take(missing))
            counts[i]++;

        var slots = new List<ResourceTier>(numClients);
        for (int i = 0; i < tiers.Count; i++) slots.AddRange(Enumerable.Repeat(tiers[i], counts[i]));
        var rng = new SplitMix64(SplitMix64.Derive(seed, SeedStreams.Tiers));
        for (int i = slots.Count - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (slots[i], slots[j]) = (slots[j], slots[i]);
        }
        return new ClientPopulation(slots);
    }

    /// <summary>N clients that can all afford the full model (FedAvg's upper bound).</summary>
    public static ClientPopulation Unconstrained(int numClients)
    {
        Check.Require(numClients >= 1, "federated.num_clients", numClients, "an integer >= 1");
        return new ClientPopulation(Enumerable.Repeat(ResourceTier.Unconstrained(), numClients).ToList());
    }

    public int Count => _tierOf.Length;

    /// <summary>The distinct tiers present, in order of first appearance.</summary>
    public IReadOnlyList<ResourceTier> Tiers { get; }

    public ResourceTier TierOf(int clientId)
    {
        if ((uint)clientId >= (uint)_tierOf.Length)
            throw new ArgumentOutOfRangeException(nameof(clientId), clientId, $"client ids are 0..{_tierOf.Length - 1}");
        return _tierOf[clientId];
    }

    /// <summary>All client ids.</summary>
    public IReadOnlyList<int> Clients => Enumerable.Range(0, _tierOf.Length).ToList();

    /// <summary>Whether a client can afford the model <paramref name="spec"/> builds.</summary>
    public bool Affords(int clientId, ModelSpec spec, ModelCostCatalog costs) =>
        TierOf(clientId).Affords(costs.Of(spec), costs.Of(spec.AsFull()));

    /// <summary>The clients that can afford <paramref name="spec"/>.</summary>
    public IReadOnlyList<int> ClientsAffording(ModelSpec spec, ModelCostCatalog costs)
    {
        var affording = Tiers.Where(t => t.Affords(costs.Of(spec), costs.Of(spec.AsFull()))).Select(t => t.Name).ToHashSet();
        return Enumerable.Range(0, _tierOf.Length).Where(c => affording.Contains(_tierOf[c].Name)).ToList();
    }

    /// <summary>Throws, with the client, tier, model and costs, when a client is about to get a model over its budget.</summary>
    public void EnsureAffords(int clientId, ModelSpec spec, ModelCostCatalog costs) =>
        EnsureAffords(TierOf(clientId), spec, costs, $"client {clientId} of ");

    /// <summary>Throws unless every tier present can afford <paramref name="spec"/>.</summary>
    public void EnsureAllAfford(ModelSpec spec, ModelCostCatalog costs)
    {
        foreach (var tier in Tiers) EnsureAffords(tier, spec, costs, "");
    }

    /// <summary>Throws, naming the tier, the model and its costs, unless <paramref name="tier"/> can afford <paramref name="spec"/>.</summary>
    public static void EnsureAffords(ResourceTier tier, ModelSpec spec, ModelCostCatalog costs, string who = "")
    {
        var cost = costs.Of(spec);
        var full = costs.Of(spec.AsFull());
        if (tier.Affords(cost, full)) return;
        throw new InvalidOperationException(
            $"{who}{tier} cannot afford {spec}: it costs {cost.MacsPerSample:N0} MACs per sample " +
            $"({(double)cost.MacsPerSample / full.MacsPerSample:0.####} of the full model) and {cost.Parameters:N0} parameters " +
            $"({(double)cost.Parameters / full.Parameters:0.####} of the full model)");
    }
}
