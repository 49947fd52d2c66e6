using FedLmt.Federated;
using FedLmt.Models;
using Microsoft.Extensions.Logging;

namespace FedLmt.Baselines;

/// <summary>
/// HeteroFL (Diao et al., ICLR 2021): a client of width rate w trains the sub-model that keeps the first ceil(w x C)
/// channels of every layer (the first layer all its input channels, the classifier all its classes, BatchNorm the
/// outputs it follows), with hidden activations scaled by 1/w while training; the server averages each element over
/// the clients that held it and leaves the rest alone. Each tier gets the largest rate on the grid it affords.
/// </summary>
public class HeteroFlStrategy : SubModelStrategy
{
    readonly Dictionary<double, SubModelLayout> _layouts = [];

    public HeteroFlStrategy(StrategyOptions options, BaselineOptions? baseline = null, ModelCostCatalog? costs = null, ILogger? logger = null)
        : this("heterofl", options, baseline, costs, logger)
    {
    }

    protected HeteroFlStrategy(string name, StrategyOptions options, BaselineOptions? baseline, ModelCostCatalog? costs, ILogger? logger)
        : base(name, options, TierModel(name, options, (baseline ?? new()).Validate(), costs ?? ModelCostCatalog.Shared), costs, logger)
    {
        Baseline = baseline ?? new();
        var full = LayoutOf(GlobalSpec);
        foreach (var tier in Population.Tiers)
            if (ModelOf(tier) is ModelSpec spec && !_layouts.ContainsKey(spec.SubModelRate!.Value))
                _layouts[spec.SubModelRate.Value] = SubModelLayout.Of(full, LayoutOf(spec));
    }

    static Func<ResourceTier, ModelSpec?> TierModel(string name, StrategyOptions options, BaselineOptions baseline, ModelCostCatalog costs) =>
        options.Model.IsTextModel
            ? throw new ArgumentException($"{name} trains width sub-models, which are defined here for the image models only, not for " +
                $"model.architecture {options.Model.Architecture} (its widths, heads and vocabulary would each need a rule); use fedlmt, pfedlmt, fedavg or fedhm")
            : tier => WidthRates.LargestAffordable(options.Model, tier, baseline.Rates, baseline.ScaleActivations, costs);

    public BaselineOptions Baseline { get; }

    /// <summary>The width rate of a tier (null: it affords no rate on the grid).</summary>
    public double? RateOf(ResourceTier tier) => ModelOf(tier)?.SubModelRate;

    /// <summary>Where a sub-model of <paramref name="rate"/> sits in the full model (a rate some tier trains).</summary>
    public SubModelLayout LayoutOf(double rate) => _layouts[rate];

    /// <summary>Which channels the sub-models hold in <paramref name="round"/>: HeteroFL's are always the first ones.</summary>
    public virtual ChannelWindow WindowFor(int round) => ChannelWindow.Prefix;

    protected override string DescribeTierModel(ModelSpec spec) => $"width rate {spec.SubModelRate}";

    protected override IReadOnlyList<NamedTensors> ParametersFor(int round, IReadOnlyList<(int Client, ModelSpec Spec)> clients)
    {
        var window = WindowFor(round);
        var result = new List<NamedTensors>(clients.Count);
        try
        {
            foreach (var (_, spec) in clients)
            {
                var layout = _layouts[spec.SubModelRate!.Value];
                result.Add(layout.IsWhole ? Global.View() : layout.Extract(Global, window));
            }
            return result;
        }
        catch
        {
            foreach (var r in result) r.Dispose();
            throw;
        }
    }

    protected override void FoldReplies(int round, IReadOnlyList<TrainReply> replies)
    {
        var window = WindowFor(round);
        var updates = replies.Select(r => new PlacedUpdate(r.Parameters, _layouts[ModelOf(r.ClientId)!.SubModelRate!.Value], window,
            r.NumExamples == 0 ? 0 : Baseline.Weighting == ReplyWeighting.Examples ? r.NumExamples : 1)).ToList();
        long uncovered = CoverageAverage.Into(Global, updates);
        Logger.LogDebug("Round {Round}: {Uncovered} of {Elements} elements held by no client kept their value", round + 1, uncovered, Global.Elements);
    }

    static IReadOnlyList<(string Name, long[] Shape)> LayoutOf(ModelSpec spec)
    {
        using var model = ModelFactory.Create(spec with { Init = Layers.FactorInit.Direct }, seed: 0);
        return ModelState.Layout(model);
    }
}
