using FedLmt.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Federated;

/// <summary>The two FedAvg baselines of METHOD.md section 7.</summary>
public enum FedAvgMode
{
    /// <summary>The upper bound: every client is assumed to afford the full model (tiers are ignored).</summary>
    EveryClient,

    /// <summary>Clients whose tier cannot afford the full model never take part.</summary>
    ExcludeUnaffordable,
}

/// <summary>
/// FedAvg: one global model; each round a sample of eligible clients trains it and the server sets every entry to the
/// example-weighted average of the replies. FedLMT and pFedLMT derive from it and override what differs.
/// </summary>
public class FedAvgStrategy : GlobalModelStrategy
{
    /// <summary>FedAvg on the full model of <c>options.Model</c>.</summary>
    public FedAvgStrategy(StrategyOptions options, FedAvgMode mode, ModelCostCatalog? costs = null, ILogger? logger = null)
        : this(mode == FedAvgMode.EveryClient ? "fedavg-all" : "fedavg-excluded", options, options.Model.AsFull(),
            mode == FedAvgMode.EveryClient ? ClientPopulation.Unconstrained(options.Clients.Count) : options.Clients,
            requireAll: false, costs, logger)
    {
    }

    /// <summary>
    /// A global model of <paramref name="spec"/> over <paramref name="population"/>: with <paramref name="requireAll"/>
    /// every tier must afford it (else this throws), otherwise only the clients that can afford it are sampled.
    /// </summary>
    protected FedAvgStrategy(string name, StrategyOptions options, ModelSpec spec, ClientPopulation population, bool requireAll,
        ModelCostCatalog? costs, ILogger? logger)
        : base(name, options, spec, population, costs, logger)
    {
        if (requireAll) population.EnsureAllAfford(GlobalSpec, Costs);
        EligibleClients = population.ClientsAffording(GlobalSpec, Costs);
    }

    public override IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients)
    {
        double lr = Options.LearningRate.At(round);
        var instructions = new List<TrainInstruction>(clients.Count);
        foreach (int client in clients)
        {
            var instruction = InstructionFor(round, client, lr);
            Population.EnsureAffords(client, instruction.Spec, Costs);
            instructions.Add(instruction);
        }
        return instructions;
    }

    /// <summary>What one client trains: here the global model, all parameters at once.</summary>
    protected virtual TrainInstruction InstructionFor(int round, int client, double lr) =>
        new(round, client, GlobalSpec, Global.View(), lr, Options.Local, TrainPhase.AllAtOnce, Options.Seed);

    /// <summary>Every global entry becomes the example-weighted average of the replies.</summary>
    protected override void AggregateParameters(int round, IReadOnlyList<TrainReply> replies) =>
        WeightedAverage.Into(Global, replies);
}
