using FedLmt.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Federated;

/// <summary>
/// What every strategy with one global state has in common: the options, the eligible clients and their sampling, the
/// global tensors (initialized from the run seed), the round count, evaluation, checkpoint export and import. FedAvg
/// (and through it FedLMT and pFedLMT) and the sub-model baselines derive from it and say what each client trains and
/// how the replies fold back.
/// </summary>
public abstract class GlobalModelStrategy : IStrategy
{
    List<int> _eligible = [];

    /// <summary>
    /// A strategy named <paramref name="name"/> whose server keeps a model of <paramref name="globalSpec"/> over
    /// <paramref name="population"/>; the derived constructor sets <see cref="EligibleClients"/>.
    /// </summary>
    protected GlobalModelStrategy(string name, StrategyOptions options, ModelSpec globalSpec, ClientPopulation population,
        ModelCostCatalog? costs, ILogger? logger)
    {
        Name = name;
        Options = options.Validate();
        Population = population;
        Costs = costs ?? ModelCostCatalog.Shared;
        Logger = logger ?? NullLogger.Instance;
        Sampler = new ClientSampler(options.Fraction, options.Seed);
        GlobalSpec = globalSpec.Validate();
        using var model = ModelFactory.Create(GlobalSpec, SplitMix64.Derive(options.Seed, SeedStreams.ModelInit));
        Global = NamedTensors.Snapshot(model);
    }

    public string Name { get; protected init; }

    public int CompletedRounds { get; protected set; }

    protected StrategyOptions Options { get; }
    protected ClientPopulation Population { get; }
    protected ModelCostCatalog Costs { get; }
    protected ClientSampler Sampler { get; }
    protected ILogger Logger { get; }

    /// <summary>The global model's spec (the full model for FedAvg and the baselines, the shared low-rank hybrid for FedLMT).</summary>
    public ModelSpec GlobalSpec { get; }

    /// <summary>The server's global tensors (owned by the strategy).</summary>
    protected NamedTensors Global { get; private set; }

    /// <summary>A borrowed view of the global tensors; valid until the next aggregation or import.</summary>
    public NamedTensors GlobalParameters => Global.View();

    public IReadOnlyList<int> EligibleClients
    {
        get => _eligible;
        protected init
        {
            if (value.Count == 0)
                throw new InvalidOperationException($"{Name}: no tier affords any model it offers; tiers: {string.Join("; ", Population.Tiers)}");
            _eligible = value.Order().ToList();
        }
    }

    public virtual string Description => GlobalSpec.ToString();

    public virtual ModelSpec ModelFor(int clientId) => GlobalSpec;

    public virtual bool ClientOwns(string tensorName) => false;

    public IReadOnlyList<int> SampleClients(int round, IReadOnlyCollection<int> available)
    {
        var present = available as IReadOnlySet<int> ?? available.ToHashSet();
        var pool = _eligible.Where(present.Contains).ToList();
        var sampled = Sampler.Sample(round, pool);
        Logger.LogDebug("Round {Round}: {Sampled} of {Pool} eligible and available clients", round + 1, sampled.Count, pool.Count);
        return sampled;
    }

    public abstract IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients);

    public IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        foreach (var f in failures)
            Logger.LogWarning("Round {Round}: client {Client} failed: {Reason}", round + 1, f.ClientId, f.Reason);
        foreach (var r in replies)
            if (_eligible.BinarySearch(r.ClientId) < 0) throw new ArgumentException($"{Name}: a reply from client {r.ClientId}, which may not train");
        AggregateParameters(round, replies);
        CompletedRounds = round + 1;
        return TrainRoundMetrics.Of(replies, failures);
    }

    /// <summary>Folds the replies into the server state.</summary>
    protected abstract void AggregateParameters(int round, IReadOnlyList<TrainReply> replies);

    public IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients) =>
        clients.Select(c => EvaluationFor(round, c)).ToList();

    /// <summary>
    /// What one client evaluates: here the global model. Evaluation is not budget-checked: it measures the model's
    /// quality on every client's data, which a simulation needs even for clients that could not train it.
    /// </summary>
    protected virtual EvaluateInstruction EvaluationFor(int round, int client) =>
        new(round, client, GlobalSpec, Global.View(), Options.EvalBatchSize);

    public EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures) =>
        EvaluationSummary.From(round, replies, failures);

    public virtual HybridModel? CreateGlobalModel() => ModelFactory.Load(GlobalSpec, Global);

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
