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
public abstract class SubModelStrategy : IStrategy
{
    readonly Dictionary<string, ModelSpec?> _tierModels;
    readonly IReadOnlyList<int> _eligible;

    /// <param name="name">The strategy's name.</param>
    /// <param name="options">Model family, clients and tiers, participation, learning rate, local training, seed.</param>
    /// <param name="tierModel">The model a tier trains, or null when it affords none; called once per tier.</param>
    /// <param name="costs">The cost catalog budgets are checked against.</param>
    /// <param name="logger">Where the tier assignment is logged.</param>
    protected SubModelStrategy(string name, StrategyOptions options, Func<ResourceTier, ModelSpec?> tierModel, ModelCostCatalog? costs, ILogger? logger)
    {
        Name = name;
        Options = options.Validate();
        Costs = costs ?? ModelCostCatalog.Shared;
        Logger = logger ?? NullLogger.Instance;
        Population = options.Clients;
        Sampler = new ClientSampler(options.Fraction, options.Seed);
        GlobalSpec = options.Model.AsFull().Validate();
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
        _eligible = Population.Clients.Where(c => _tierModels[Population.TierOf(c).Name] is not null).ToList();
        if (_eligible.Count == 0)
            throw new InvalidOperationException($"{name}: no tier affords any of the models offered; tiers: {string.Join("; ", Population.Tiers)}");
        using var model = ModelFactory.Create(GlobalSpec, SplitMix64.Derive(options.Seed, SeedStreams.ModelInit));
        Global = NamedTensors.Snapshot(model);
    }

    public string Name { get; }

    public int CompletedRounds { get; private set; }

    protected StrategyOptions Options { get; }
    protected ClientPopulation Population { get; }
    protected ModelCostCatalog Costs { get; }
    protected ClientSampler Sampler { get; }
    protected ILogger Logger { get; }

    /// <summary>The full model the server keeps (and every client evaluates).</summary>
    public ModelSpec GlobalSpec { get; }

    /// <summary>The server's full-model tensors (owned by the strategy).</summary>
    protected NamedTensors Global { get; private set; }

    /// <summary>A borrowed view of the global tensors; valid until the next aggregation or import.</summary>
    public NamedTensors GlobalParameters => Global.Where(_ => true);

    /// <summary>The clients sampling draws from: those whose tier affords one of the offered models.</summary>
    public IReadOnlyList<int> EligibleClients => _eligible;

    /// <summary>The model a tier trains (null: it affords none and its clients are left out).</summary>
    public ModelSpec? ModelOf(ResourceTier tier) => _tierModels[tier.Name];

    /// <summary>The model a client trains (null: left out).</summary>
    public ModelSpec? ModelOf(int client) => _tierModels[Population.TierOf(client).Name];

    /// <summary>One line for logs and run summaries: what each tier trains.</summary>
    public string DescribeTiers() =>
        string.Join("; ", Population.Tiers.Select(t => $"{t.Name}: {(_tierModels[t.Name] is ModelSpec s ? DescribeTierModel(s) : "left out")}"));

    /// <summary>How a tier's model is named in <see cref="DescribeTiers"/>.</summary>
    protected abstract string DescribeTierModel(ModelSpec spec);

    public IReadOnlyList<int> SampleClients(int round)
    {
        var sampled = Sampler.Sample(round, _eligible);
        Logger.LogDebug("Round {Round}: {Sampled} of {Eligible} eligible clients", round, sampled.Count, _eligible.Count);
        return sampled;
    }

    public IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients)
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

    /// <summary>The state each client's model starts from this round (owned, or borrowed views of <see cref="Global"/>), in the order given.</summary>
    protected abstract IReadOnlyList<NamedTensors> ParametersFor(int round, IReadOnlyList<(int Client, ModelSpec Spec)> clients);

    public IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        foreach (var f in failures)
            Logger.LogWarning("Round {Round}: client {Client} failed: {Reason}", round, f.ClientId, f.Reason);
        foreach (var r in replies)
            if (ModelOf(r.ClientId) is null) throw new ArgumentException($"{Name}: a reply from client {r.ClientId}, which was left out");
        if (replies.Any(r => r.NumExamples > 0)) AggregateParameters(round, replies);
        CompletedRounds = round + 1;
        return TrainRoundMetrics.Of(replies, failures);
    }

    /// <summary>Folds the replies (at least one with examples) into <see cref="Global"/>.</summary>
    protected abstract void AggregateParameters(int round, IReadOnlyList<TrainReply> replies);

    public IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients) =>
        clients.Select(c => new EvaluateInstruction(round, c, GlobalSpec, Global.Where(_ => true), Options.EvalBatchSize)).ToList();

    public EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures) =>
        EvaluationSummary.From(round, replies, failures);

    public HybridModel? CreateGlobalModel() => ClientTrainer.BuildModel(GlobalSpec, Global);

    public ServerState ExportState() =>
        new(Name, CompletedRounds, Global.Clone(), new Dictionary<int, NamedTensors>(), new Dictionary<string, NamedTensors>(),
            new Dictionary<string, double>(StringComparer.Ordinal));

    public void ImportState(ServerState state)
    {
        if (state.Strategy != Name)
            throw new ArgumentException($"the state was exported by strategy '{state.Strategy}', not '{Name}'");
        if (!Global.Names.SequenceEqual(state.Global.Names))
            throw new ArgumentException($"global tensors differ in names: expected [{string.Join(", ", Global.Names.Take(5))}...], got [{string.Join(", ", state.Global.Names.Take(5))}...]");
        foreach (var name in Global.Names)
            if (!Global[name].shape.SequenceEqual(state.Global[name].shape) || Global[name].dtype != state.Global[name].dtype)
                throw new ArgumentException($"global tensor '{name}' has shape ({string.Join(", ", state.Global[name].shape)}) {state.Global[name].dtype}; expected ({string.Join(", ", Global[name].shape)}) {Global[name].dtype}");
        var old = Global;
        Global = state.Global.Clone();
        old.Dispose();
        CompletedRounds = state.CompletedRounds;
    }
}
