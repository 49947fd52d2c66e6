using FedLmt.Federated;
using FedLmt.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Baselines;

/// <summary>
/// FedHM (Yao et al., 2021): the server keeps the full model; each round it truncates the SVD of every factorizable
/// layer (the model's low-rank hybrid layers: for ResNet and VGG the 3x3 convs of the blocks, through METHOD.md's
/// (C_out k) x (C_in k) view) to the rank each tier affords, clients train the factors, and the server recovers each
/// reply's full weights U V^T and averages them by examples with the layers that were never factorized.
/// </summary>
/// <remarks>
/// A tier gets the largest ratio on FedLMT's 0.01 grid it affords (<see cref="RatioSearch"/> for that tier alone); a
/// tier that affords the full model trains the full model.
/// </remarks>
public sealed class FedHmStrategy : SubModelStrategy
{
    public FedHmStrategy(StrategyOptions options, ModelCostCatalog? costs = null, ILogger? logger = null)
        : base("fedhm", options, TierModel(options.Model, costs ?? ModelCostCatalog.Shared), costs, logger)
    {
    }

    static Func<ResourceTier, ModelSpec?> TierModel(ModelSpec family, ModelCostCatalog costs) => tier =>
    {
        var full = family.AsFull();
        if (tier.Affords(costs.Of(full), costs.Of(full))) return full;
        try
        {
            return full.WithRatio(RatioSearch.LargestAffordable(full, [tier], costs));
        }
        catch (InvalidOperationException)
        {
            return null; // not even ratio 0.01 fits: the tier is left out
        }
    };

    /// <summary>The ratio a tier's clients train at (null: the full model, or left out when <see cref="SubModelStrategy.ModelOf(ResourceTier)"/> is null).</summary>
    public double? RatioOf(ResourceTier tier) => ModelOf(tier)?.Ratio;

    protected override string DescribeTierModel(ModelSpec spec) => spec.Ratio is double r ? $"ratio {r} from {spec.DecomposeFrom}" : "full model";

    protected override IReadOnlyList<NamedTensors> ParametersFor(int round, IReadOnlyList<(int Client, ModelSpec Spec)> clients)
    {
        var lowRank = clients.Select(c => c.Spec).Where(s => s.IsLowRank).Distinct().ToList();
        // One SVD per layer, truncated to every rank needed this round.
        var decomposed = TierDecomposition.Decompose(Global, lowRank, (_, _) => true);
        try
        {
            return clients.Select(c => c.Spec.IsLowRank ? decomposed[lowRank.IndexOf(c.Spec)].Clone() : Global.View()).ToList();
        }
        finally
        {
            foreach (var d in decomposed) d.Dispose();
        }
    }

    protected override void FoldReplies(int round, IReadOnlyList<TrainReply> replies)
    {
        using var scope = torch.NewDisposeScope();
        var updates = replies.Select(r => (Recovered(ModelOf(r.ClientId)!, r.Parameters), r.NumExamples)).ToList();
        WeightedAverage.Into(Global, updates);
    }

    /// <summary>
    /// A reply as full-model entries: every factorized layer "X" as X.weight = U V^T (new tensors in the caller's dispose
    /// scope), every other entry borrowed from the reply.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Recovered(ModelSpec spec, IReadOnlyDictionary<string, Tensor> state)
    {
        if (!spec.IsLowRank) return state;
        using var noGrad = torch.no_grad();
        using var model = ModelFactory.Load(spec, state);
        var factorized = LowRankConversion.FactorizedLayers(model);
        var factors = factorized.Keys.SelectMany(p => new[] { p + ".u", p + ".v" }).ToHashSet(StringComparer.Ordinal);
        var full = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (prefix, layer) in factorized) full[prefix + ".weight"] = layer.RecoverWeight();
        foreach (var (name, t) in state)
            if (!factors.Contains(name)) full[name] = t;
        return full;
    }
}
