using FedLmt.Federated;
using FedLmt.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Baselines;

/// <summary>
/// The server side shared by the heterogeneous baselines: it keeps the full model, each resource tier trains a smaller
/// model derived from it (a width sub-model, a low-rank truncation) chosen once as the largest the tier affords, and the
/// replies are folded back into the full model. Clients whose tier affords none of the offered models are left out.
/// Every client evaluates the full global model.
/// </summary>
/// <remarks>
/// Not derived from <see cref="FedAvgStrategy"/>: that one samples only the clients that afford its global model, and
/// here the global model is the full one, which the weaker tiers (possibly all of them) cannot afford.
/// </remarks>
public abstract class SubModelStrategy : GlobalModelStrategy
{
    readonly Dictionary<string, ModelSpec?> _tierModels;

    /// <param name="name">The strategy's name.</param>
    /// <param name="options">Model family, clients and tiers, participation, learning rate, local training, seed.</param>
    /// <param name="tierModel">The model a tier trains, or null when it affords none; called once per tier.</param>
    /// <param name="costs">The cost catalog budgets are checked against.</param>
    /// <param name="logger">Where the tier assignment is logged.</param>
    protected SubModelStrategy(string name, StrategyOptions options, Func<ResourceTier, ModelSpec?> tierModel, ModelCostCatalog? costs, ILogger? logger)
        : base(name, options, options.Model.AsFull(), options.Clients, costs, logger)
    {
        _tierModels = new Dictionary<string, ModelSpec?>(StringComparer.Ordinal);
        foreach (var tier in Population.Tiers)
        {
            var spec = tierModel(tier);
            if (spec is not null) ClientPopulation.EnsureAffords(tier, spec, Costs, $"{name}: ");
            _tierModels[tier.Name] = spec;
            if (spec is null)
                Logger.LogWarning("{Strategy}: {Tier} affords none of the models offered; its clients are left out", name, tier);
            else
                Logger.LogInformation("{Strategy}: tier {Tier} trains {Model}", name, tier.Name, spec);
        }
        EligibleClients = Population.Clients.Where(c => _tierModels[Population.TierOf(c).Name] is not null).ToList();
    }

    /// <summary>The model a tier trains (null: it affords none and its clients are left out).</summary>
    public ModelSpec? ModelOf(ResourceTier tier) => _tierModels[tier.Name];

    /// <summary>The model a client trains (null: left out).</summary>
    public ModelSpec? ModelOf(int client) => _tierModels[Population.TierOf(client).Name];

    /// <summary>A client trains its tier's model; a left-out client evaluates the full one.</summary>
    public override ModelSpec ModelFor(int clientId) => ModelOf(clientId) ?? GlobalSpec;

    public override string Description => $"{GlobalSpec}; {DescribeTiers()}";

    /// <summary>One line for logs and run summaries: what each tier trains.</summary>
    public string DescribeTiers() =>
        string.Join("; ", Population.Tiers.Select(t => $"{t.Name}: {(_tierModels[t.Name] is ModelSpec s ? DescribeTierModel(s) : "left out")}"));

    /// <summary>How a tier's model is named in <see cref="DescribeTiers"/>.</summary>
    protected abstract string DescribeTierModel(ModelSpec spec);

    public override IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients)
    {
        double lr = Options.LearningRate.At(round);
        var assigned = new List<(int Client, ModelSpec Spec)>(clients.Count);
        foreach (int client in clients)
        {
            var spec = ModelOf(client) ?? throw new InvalidOperationException(
                $"{Name}: client {client} of {Population.TierOf(client)} affords none of the models offered and cannot train");
            Population.EnsureAffords(client, spec, Costs);
            assigned.Add((client, spec));
        }
        var parameters = ParametersFor(round, assigned);
        return assigned.Select((a, i) => new TrainInstruction(round, a.Client, a.Spec, parameters[i], lr, Options.Local, TrainPhase.AllAtOnce, Options.Seed)).ToList();
    }

    /// <summary>The state each client's model starts from this round (owned, or borrowed views of <see cref="GlobalModelStrategy.Global"/>), in the order given.</summary>
    protected abstract IReadOnlyList<NamedTensors> ParametersFor(int round, IReadOnlyList<(int Client, ModelSpec Spec)> clients);

    /// <summary>Folds the replies into the full model, unless none of them trained on any example.</summary>
    protected override void AggregateParameters(int round, IReadOnlyList<TrainReply> replies)
    {
        if (replies.Any(r => r.NumExamples > 0)) FoldReplies(round, replies);
    }

    /// <summary>Folds the replies (at least one with examples) into the global model.</summary>
    protected abstract void FoldReplies(int round, IReadOnlyList<TrainReply> replies);
}
