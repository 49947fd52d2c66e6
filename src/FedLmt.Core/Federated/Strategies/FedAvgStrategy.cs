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
public class FedAvgStrategy : IStrategy
{
    readonly IReadOnlyList<int> _eligible;

    /// <summary>FedAvg on the full model of <c>options.Model</c>.</summary>
    public FedAvgStrategy(StrategyOptions options, FedAvgMode mode, ModelCostCatalog? costs = null, ILogger? logger = null)
        : this(options, options.Model.AsFull(),
            mode == FedAvgMode.EveryClient ? ClientPopulation.Unconstrained(options.Clients.Count) : options.Clients,
            requireAll: false, costs, logger)
    {
        Name = mode == FedAvgMode.EveryClient ? "fedavg-all" : "fedavg-excluded";
    }

    /// <summary>
    /// A global model of <paramref name="spec"/> over <paramref name="population"/>: with <paramref name="requireAll"/>
    /// every tier must afford it (else this throws), otherwise only the clients that can afford it are sampled.
    /// </summary>
    protected FedAvgStrategy(StrategyOptions options, ModelSpec spec, ClientPopulation population, bool requireAll,
        ModelCostCatalog? costs, ILogger? logger)
    {
        Options = options.Validate();
        Population = population;
        Costs = costs ??= ModelCostCatalog.Shared;
        Logger = logger ?? NullLogger.Instance;
        Sampler = new ClientSampler(options.Fraction, options.Seed);
        GlobalSpec = spec.Validate();
        if (requireAll) population.EnsureAllAfford(spec, costs);
        _eligible = population.ClientsAffording(spec, costs);
        if (_eligible.Count == 0)
            throw new InvalidOperationException($"no client can afford {spec}; tiers: {string.Join("; ", population.Tiers)}");
        using var model = ModelFactory.Create(spec, SplitMix64.Derive(options.Seed, SeedStreams.ModelInit));
        Global = NamedTensors.Snapshot(model);
        Name = "fedavg";
    }

    public string Name { get; protected init; }

    public int CompletedRounds { get; protected set; }

    protected StrategyOptions Options { get; }
    protected ClientPopulation Population { get; }
    protected ModelCostCatalog Costs { get; }
    protected ClientSampler Sampler { get; }
    protected ILogger Logger { get; }

    /// <summary>The global model's spec (the full model for FedAvg, the shared low-rank hybrid for FedLMT).</summary>
    public ModelSpec GlobalSpec { get; }

    /// <summary>The server's global tensors (owned by the strategy).</summary>
    protected NamedTensors Global { get; set; }

    /// <summary>A borrowed view of the global tensors; valid until the next aggregation or import.</summary>
    public NamedTensors GlobalParameters => Global.Where(_ => true);

    /// <summary>The clients sampling draws from.</summary>
    public IReadOnlyList<int> EligibleClients => _eligible;

    public virtual IReadOnlyList<int> SampleClients(int round)
    {
        var sampled = Sampler.Sample(round, _eligible);
        Logger.LogDebug("Round {Round}: {Sampled} of {Eligible} eligible clients", round, sampled.Count, _eligible.Count);
        return sampled;
    }

    public virtual IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients)
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
        new(round, client, GlobalSpec, Global.Where(_ => true), lr, Options.Local, TrainPhase.AllAtOnce, Options.Seed);

    public IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        foreach (var f in failures)
            Logger.LogWarning("Round {Round}: client {Client} failed: {Reason}", round, f.ClientId, f.Reason);
        AggregateParameters(round, replies);
        CompletedRounds = round + 1;
        return TrainRoundMetrics.Of(replies, failures);
    }

    /// <summary>Folds the replies into the server state: here every global entry becomes their weighted average.</summary>
    protected virtual void AggregateParameters(int round, IReadOnlyList<TrainReply> replies) =>
        WeightedAverage.Into(Global, replies);

    public IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients) =>
        clients.Select(c => EvaluationFor(round, c)).ToList();

    /// <summary>
    /// What one client evaluates: here the global model. Evaluation is not budget-checked: it measures the model's
    /// quality on every client's data, which a simulation needs even for clients that could not train it.
    /// </summary>
    protected virtual EvaluateInstruction EvaluationFor(int round, int client) =>
        new(round, client, GlobalSpec, Global.Where(_ => true), Options.EvalBatchSize);

    public EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures) =>
        EvaluationSummary.From(round, replies, failures);

    public virtual HybridModel? CreateGlobalModel() => ClientTrainer.BuildModel(GlobalSpec, Global);

    public virtual ServerState ExportState() =>
        new(Name, CompletedRounds, Global.Clone(), new Dictionary<int, NamedTensors>(), new Dictionary<string, NamedTensors>(),
            new Dictionary<string, double>(StringComparer.Ordinal));

    public virtual void ImportState(ServerState state)
    {
        RequireSameStrategy(state);
        RequireSameLayout(Global, state.Global, "global");
        ReplaceGlobal(state.Global.Clone());
        CompletedRounds = state.CompletedRounds;
    }

    /// <summary>Swaps in a new global map and disposes the old one.</summary>
    protected void ReplaceGlobal(NamedTensors next)
    {
        var old = Global;
        Global = next;
        old.Dispose();
    }

    protected void RequireSameStrategy(ServerState state)
    {
        if (state.Strategy != Name)
            throw new ArgumentException($"the state was exported by strategy '{state.Strategy}', not '{Name}'");
    }

    /// <summary>Refuses a map whose names or shapes differ from <paramref name="expected"/>.</summary>
    protected static void RequireSameLayout(NamedTensors expected, NamedTensors actual, string what)
    {
        if (!expected.Names.SequenceEqual(actual.Names))
            throw new ArgumentException($"{what} tensors differ in names: expected [{string.Join(", ", expected.Names.Take(5))}...], got [{string.Join(", ", actual.Names.Take(5))}...]");
        foreach (var name in expected.Names)
            if (!expected[name].shape.SequenceEqual(actual[name].shape) || expected[name].dtype != actual[name].dtype)
                throw new ArgumentException($"{what} tensor '{name}' has shape ({string.Join(", ", actual[name].shape)}) {actual[name].dtype}; expected ({string.Join(", ", expected[name].shape)}) {expected[name].dtype}");
    }
}
