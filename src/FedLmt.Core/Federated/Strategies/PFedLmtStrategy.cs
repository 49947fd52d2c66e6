using FedLmt.Models;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// pFedLMT: per-tier ranks with personalized custom layers. Stage 1 (rounds before the meta round) is FedLMT at one
/// ratio. At the meta round the global custom layers are recovered to full weights and decomposed at each tier's
/// ratio; from then on each client owns its custom parameters (kept here, keyed by client id), the server averages
/// only the common ones, clients train custom then common (half the local steps each), and each client evaluates its
/// own common + custom model.
/// </summary>
/// <remarks>
/// A client that has not trained since the meta round uses its tier's starting point, stored once per tier; it gets a
/// copy of its own once its first reply arrives.
/// </remarks>
public sealed class PFedLmtStrategy : FedLmtStrategy
{
    readonly PFedLmtOptions _options;
    readonly HashSet<string> _commonNames;
    readonly Dictionary<string, NamedTensors> _tierCustom = new(StringComparer.Ordinal);
    readonly Dictionary<int, NamedTensors> _clientCustom = [];

    public PFedLmtStrategy(StrategyOptions options, PFedLmtOptions pfedlmt, ModelCostCatalog? costs = null, ILogger? logger = null)
        : base(options, pfedlmt.Validate(options.Clients).Stage1RatioFor(options.Clients), costs, logger)
    {
        Name = "pfedlmt";
        _options = pfedlmt;
        foreach (var tier in Population.Tiers) ClientPopulation.EnsureAffords(tier, TierSpec(tier), Costs, "pfedlmt.tier_ratios: ");
        using (var probe = ModelFactory.Create(GlobalSpec with { Init = Layers.FactorInit.Direct }, seed: 0))
            _commonNames = probe.state_dict().Keys.Where(probe.IsCommon).ToHashSet(StringComparer.Ordinal);
        if (_options.MetaRound == 0)
        {
            // No stage 1: the tiers start from the SVDs of a freshly initialized full model (spectral init per tier).
            using var full = ModelFactory.Create(Options.Model.AsFull(), SplitMix64.Derive(Options.Seed, SeedStreams.ModelInit));
            Personalize(full);
        }
    }

    /// <summary>Whether the meta round has passed: clients own their custom parameters.</summary>
    public bool Personalized { get; private set; }

    /// <summary>Whether a state entry is common (aggregated in stage 2) rather than custom.</summary>
    public bool IsCommon(string name) => _commonNames.Contains(name);

    /// <summary>After the meta round a client owns its custom entries.</summary>
    public override bool ClientOwns(string tensorName) => Personalized && !IsCommon(tensorName);

    /// <summary>The model a client trains now: the shared stage-1 hybrid, or its tier's.</summary>
    public override ModelSpec ModelFor(int clientId) => Personalized ? TierSpec(Population.TierOf(clientId)) : GlobalSpec;

    public override string Description =>
        $"{Options.Model} with per-tier ratios {string.Join(", ", Population.Tiers.Select(t => $"{t.Name} {_options.TierRatios[t.Name]}"))}";

    /// <summary>A borrowed view of a client's custom parameters (stage 2 only).</summary>
    public NamedTensors CustomOf(int clientId)
    {
        if (!Personalized) throw new InvalidOperationException("clients own no custom parameters before the meta round");
        return (_clientCustom.TryGetValue(clientId, out var own) ? own : _tierCustom[Population.TierOf(clientId).Name]).View();
    }

    ModelSpec TierSpec(ResourceTier tier) => Options.Model.WithRatio(_options.TierRatios[tier.Name]);

    public override IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients)
    {
        if (!Personalized && round >= _options.MetaRound)
        {
            using var lowRank = ModelFactory.Load(GlobalSpec, Global);
            using var full = ModelFactory.Create(GlobalSpec.AsFull() with { Init = Layers.FactorInit.Direct }, seed: 0);
            LowRankConversion.RecoverInto(lowRank, full);
            Personalize(full);
        }
        return base.ConfigureTrain(round, clients);
    }

    protected override TrainInstruction InstructionFor(int round, int client, double lr) => Personalized
        ? new(round, client, ModelFor(client), Global.Concat(CustomOf(client)), lr, Options.Local, TrainPhase.CustomThenCommon, Options.Seed)
        : base.InstructionFor(round, client, lr);

    protected override void AggregateParameters(int round, IReadOnlyList<TrainReply> replies)
    {
        if (!Personalized)
        {
            base.AggregateParameters(round, replies);
            return;
        }
        // Global holds only the common entries now, so the average covers exactly those.
        WeightedAverage.Into(Global, replies);
        using var noGrad = no_grad();
        foreach (var reply in replies)
        {
            var custom = reply.Parameters.Where(n => !IsCommon(n));
            if (_clientCustom.TryGetValue(reply.ClientId, out var own))
            {
                RequireSameLayout(own, custom, $"client {reply.ClientId}'s custom");
                foreach (var name in own.Names) own[name].copy_(custom[name]);
            }
            else
            {
                RequireSameLayout(_tierCustom[Population.TierOf(reply.ClientId).Name], custom, $"client {reply.ClientId}'s custom");
                _clientCustom[reply.ClientId] = custom.Clone();
            }
        }
    }

    protected override EvaluateInstruction EvaluationFor(int round, int client) => Personalized
        ? new(round, client, ModelFor(client), Global.Concat(CustomOf(client)), Options.EvalBatchSize)
        : base.EvaluationFor(round, client);

    /// <summary>The stage-1 global model; null once personalized (there is no single global model then).</summary>
    public override HybridModel? CreateGlobalModel() => Personalized ? null : base.CreateGlobalModel();

    /// <summary>Decomposes the custom layers of <paramref name="full"/> per tier and keeps its common entries as the global state.</summary>
    void Personalize(HybridModel full)
    {
        var fullState = full.state_dict();
        var tiers = Population.Tiers;
        var customs = TierDecomposition.Decompose(fullState, tiers.Select(TierSpec).ToList(), (_, name) => !IsCommon(name));
        for (int i = 0; i < tiers.Count; i++) _tierCustom[tiers[i].Name] = customs[i];
        using (no_grad())
            ReplaceGlobal(NamedTensors.Own(fullState.Where(kv => IsCommon(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value.clone()))));
        Personalized = true;
        Logger.LogInformation("pFedLMT: personalized {Tiers} tiers ({Ratios}); {Common} common entries aggregated from now on",
            tiers.Count, string.Join(", ", tiers.Select(t => $"{t.Name} {_options.TierRatios[t.Name]}")), Global.Count);
    }

    public override ServerState ExportState()
    {
        var state = base.ExportState();
        return state with
        {
            PerClient = _clientCustom.ToDictionary(kv => kv.Key, kv => kv.Value.Clone()),
            Shared = _tierCustom.ToDictionary(kv => kv.Key, kv => kv.Value.Clone()),
            Scalars = new Dictionary<string, double>(StringComparer.Ordinal) { ["personalized"] = Personalized ? 1 : 0 },
        };
    }

    public override void ImportState(ServerState state)
    {
        RequireSameStrategy(state);
        bool personalized = state.Scalars.GetValueOrDefault("personalized") == 1;
        if (personalized && !Personalized)
        {
            // Take the layouts from a personalization of the current state, then overwrite every tensor.
            using var lowRank = ModelFactory.Load(GlobalSpec, Global);
            using var full = ModelFactory.Create(GlobalSpec.AsFull() with { Init = Layers.FactorInit.Direct }, seed: 0);
            LowRankConversion.RecoverInto(lowRank, full);
            Personalize(full);
        }
        else if (!personalized && Personalized)
            throw new ArgumentException("the state is from stage 1 but this strategy is already personalized (meta round 0?)");
        RequireSameLayout(Global, state.Global, "global");
        foreach (var (tier, tensors) in _tierCustom)
        {
            if (!state.Shared.TryGetValue(tier, out var imported)) throw new ArgumentException($"the state lacks tier '{tier}'");
            RequireSameLayout(tensors, imported, $"tier '{tier}' custom");
        }
        foreach (var (client, tensors) in state.PerClient)
            RequireSameLayout(_tierCustom[Population.TierOf(client).Name], tensors, $"client {client}'s custom");

        ReplaceGlobal(state.Global.Clone());
        foreach (var tier in _tierCustom.Keys.ToList())
        {
            var old = _tierCustom[tier];
            _tierCustom[tier] = state.Shared[tier].Clone();
            old.Dispose();
        }
        foreach (var t in _clientCustom.Values) t.Dispose();
        _clientCustom.Clear();
        foreach (var (client, tensors) in state.PerClient) _clientCustom[client] = tensors.Clone();
        CompletedRounds = state.CompletedRounds;
    }
}
