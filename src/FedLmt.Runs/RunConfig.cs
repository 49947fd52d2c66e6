using FedLmt.Baselines;
using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;

namespace FedLmt.Runs;

/// <summary>
/// A simulation run as written in YAML (configs/*.yaml). Keys are snake_case; the defaults are the README's main job:
/// FedLMT with the small CNN on the embedded Fashion-MNIST subset, two resource tiers, finishing in minutes on 2 cores.
/// </summary>
public sealed class RunConfig
{
    public string Name { get; set; } = "fedlmt-fmnist";
    public long Seed { get; set; } = 1;
    public string Algorithm { get; set; } = "fedlmt";
    public string Dataset { get; set; } = DatasetResolver.DefaultSpec;
    public ModelSection Model { get; set; } = new();
    public FederatedSection Federated { get; set; } = new();
    public PartitionSection Partition { get; set; } = new();
    public List<TierSection> Tiers { get; set; } = [new() { Name = "strong", Share = 0.3 }, new() { Name = "weak", Share = 0.7, MacsBudget = 0.35 }];
    public LrSection Lr { get; set; } = new();
    public LocalSection Local { get; set; } = new();
    public PFedLmtSection Pfedlmt { get; set; } = new();
    public BaselinesSection Baselines { get; set; } = new();
    public EvaluationSection Evaluation { get; set; } = new();
    public TextSection Text { get; set; } = new();
    public CheckpointSection Checkpoint { get; set; } = new();
    public SimulationSection Simulation { get; set; } = new();

    public sealed class ModelSection
    {
        public string Architecture { get; set; } = "cnn";
        public double WidthMultiplier { get; set; } = 1.0;
        /// <summary>FedLMT's shared ratio; absent: the largest the weakest tier affords.</summary>
        public double? Ratio { get; set; }
        public string DecomposeFrom { get; set; } = "(0,0)";
        public bool TrackRunningStats { get; set; }
        public string Init { get; set; } = "spectral";
    }

    public sealed class FederatedSection
    {
        public int NumClients { get; set; } = 20;
        public double Fraction { get; set; } = 0.5;
        public int Rounds { get; set; } = 30;
    }

    public sealed class PartitionSection
    {
        public string Scheme { get; set; } = "dirichlet";
        public double Alpha { get; set; } = 0.5;
        public int Shards { get; set; } = 2;
        public int MinSamples { get; set; } = 10;
    }

    public sealed class TierSection
    {
        public string Name { get; set; } = "";
        public double Share { get; set; }
        public double? MacsBudget { get; set; }
        public double? ParamsBudget { get; set; }
    }

    public sealed class LrSection
    {
        public double Initial { get; set; } = 0.05;
        public double Final { get; set; } = 1e-4;
        public int WarmupRounds { get; set; }
    }

    public sealed class LocalSection
    {
        public int Epochs { get; set; } = 1;
        public int BatchSize { get; set; } = 32;
        public double Momentum { get; set; } = 0.9;
        public double WeightDecay { get; set; } = 1e-4;
        public string Penalty { get; set; } = "none";
        public double PenaltyLambda { get; set; }
    }

    public sealed class PFedLmtSection
    {
        /// <summary>Ratio per tier name; absent tiers take the reference ratios 1.4, 0.6, 0.15, 0.01 in tier order.</summary>
        public Dictionary<string, double> TierRatios { get; set; } = [];
        public int MetaRound { get; set; }
        public double? Stage1Ratio { get; set; }
    }

    /// <summary>HeteroFL and FedRolex (FedHM needs no settings: each tier gets the largest ratio it affords).</summary>
    public sealed class BaselinesSection
    {
        /// <summary>Width rates a tier may get; it gets the largest whose sub-model it affords.</summary>
        public List<double> Rates { get; set; } = [.. FedLmt.Baselines.BaselineOptions.DefaultRates];
        /// <summary>Divide hidden activations by the rate while training (HeteroFL's scaler).</summary>
        public bool ScaleActivations { get; set; } = true;
        /// <summary>examples (as FedAvg here) or clients (each holder once, as the HeteroFL/FedRolex reference code).</summary>
        public string Weighting { get; set; } = "examples";
    }

    public sealed class EvaluationSection
    {
        public int Every { get; set; } = 5;
        public int BatchSize { get; set; } = 256;

        /// <summary>
        /// How a client's test split is read: "dataset" (dataset order) or "by_class" (grouped by class, as the authors'
        /// code reads it with batch 100; with batch statistics at test time the batch is part of the prediction).
        /// </summary>
        public string Order { get; set; } = "dataset";
    }

    /// <summary>How a text corpus is read and what the language model learns from it (ignored for image datasets).</summary>
    public sealed class TextSection
    {
        /// <summary>Positions per window: the transformer's context (the authors' bptt).</summary>
        public int SequenceLength { get; set; } = TextCorpus.DefaultSequenceLength;
        /// <summary>"masked" (the authors': predict every original token from an input with tokens masked) or "next_token".</summary>
        public string Objective { get; set; } = "masked";
        public double MaskProbability { get; set; } = 0.15;
        /// <summary>Words rarer than this in the training text become &lt;unk&gt;; absent: the corpus's own rule.</summary>
        public int? MinWordCount { get; set; }
    }

    public sealed class CheckpointSection
    {
        public int Every { get; set; } = 5;
    }

    public sealed class SimulationSection
    {
        /// <summary>Clients trained at once in this process (results do not depend on it).</summary>
        public int Workers { get; set; } = 1;

        /// <summary>libtorch intra-op threads; 0 keeps libtorch's default (one per core).</summary>
        public int Threads { get; set; }
    }

    /// <summary>The values of evaluation.order.</summary>
    public static readonly IReadOnlyList<string> EvaluationOrders = ["dataset", "by_class"];

    /// <summary>Whether a run evaluates after 0-based round <paramref name="round"/>: every evaluation.every rounds and after the last (never when 0).</summary>
    public bool EvaluatesAfter(int round) =>
        Evaluation.Every > 0 && ((round + 1) % Evaluation.Every == 0 || round + 1 == Federated.Rounds);

    /// <summary>
    /// Refuses any value a run would refuse, naming the key, the value and what is allowed - everything that can be
    /// checked without the data, so a bad config fails before a run starts (<see cref="CheckDataFound"/> adds that the
    /// dataset's folder exists).
    /// </summary>
    public RunConfig Validate()
    {
        Check.Require(FedLmt.Runs.Algorithms.Contains(Algorithm), "algorithm", Algorithm, string.Join(", ", FedLmt.Runs.Algorithms.Names));
        Check.Require(!string.IsNullOrWhiteSpace(Name) && Name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0, "name", Name, "a non-empty name usable as a folder name");
        Check.Require(Federated.NumClients >= 1, "federated.num_clients", Federated.NumClients, "an integer >= 1");
        Check.Require(EvaluationOrders.Contains(Evaluation.Order), "evaluation.order", Evaluation.Order, string.Join(", ", EvaluationOrders));
        Check.Require(Evaluation.Every >= 0, "evaluation.every", Evaluation.Every, "an integer >= 0 (0: no evaluation, e.g. to time training alone)");
        Check.Require(Text.SequenceLength is >= 1 and <= 4096, "text.sequence_length", Text.SequenceLength, "an integer in 1..4096");
        if (Text.MinWordCount is int minCount) Check.Require(minCount >= 1, "text.min_word_count", minCount, "an integer >= 1 (or absent: the corpus's own rule)");
        _ = TextTask();
        Check.Require(Checkpoint.Every >= 1, "checkpoint.every", Checkpoint.Every, "an integer >= 1");
        Check.Require(Simulation.Workers >= 1, "simulation.workers", Simulation.Workers, "an integer >= 1");
        Check.Require(Simulation.Threads >= 0, "simulation.threads", Simulation.Threads, "an integer >= 0 (0: libtorch's default)");
        Check.Require(FactorInits.Names.Contains(Model.Init), "model.init", Model.Init, string.Join(", ", FactorInits.Names));
        Check.Require(Enum.TryParse<PenaltyKind>(Local.Penalty, ignoreCase: true, out _), "local.penalty", Local.Penalty, "none, frobenius, kronecker, l2");
        _ = ParseHybridStart();
        _ = ParseScheme();
        _ = BaselineOptions();
        _ = LocalTraining();
        _ = Schedule();
        _ = RunSetup.PopulationOf(this); // tiers: names, shares, budgets
        if (Model.Ratio is double ratio) Check.Require(ratio > 0 && double.IsFinite(ratio), "model.ratio", ratio, "a finite number > 0 (or absent: the largest the weakest tier affords)");
        foreach (var (tier, r) in Pfedlmt.TierRatios)
            Check.Require(r > 0 && double.IsFinite(r), $"pfedlmt.tier_ratios.{tier}", r, "a finite number > 0");
        // The model's own checks (architecture, width) on a stand-in input; the data gives the real one.
        _ = new ModelSpec { Architecture = Model.Architecture, WidthMultiplier = Model.WidthMultiplier }.Validate();
        DatasetResolver.CheckSpec(Dataset, requireFolder: false);
        return this;
    }

    /// <summary>Refuses a dataset whose folder does not exist (on the machine that is to read it).</summary>
    public RunConfig CheckDataFound()
    {
        DatasetResolver.CheckSpec(Dataset);
        return this;
    }

    internal HybridStart ParseHybridStart()
    {
        try { return HybridStart.Parse(Model.DecomposeFrom); }
        catch (FormatException e) { throw new ArgumentException($"model.decompose_from: {e.Message}"); }
    }

    internal PartitionScheme ParseScheme()
    {
        try { return Data.PartitionSettings.ParseScheme(Partition.Scheme); }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"partition.scheme = {Partition.Scheme} is not allowed; expected {Data.PartitionSettings.SchemeNames}");
        }
    }

    /// <summary>
    /// The model family for a dataset: the input shape and classes of an image set, or for a text corpus the
    /// vocabulary (the output classes) and the window length; refuses an architecture that cannot read the data.
    /// </summary>
    public ModelSpec ModelSpecFor(DatasetSplit data)
    {
        var spec = new ModelSpec
        {
            Architecture = Model.Architecture,
            WidthMultiplier = Model.WidthMultiplier,
            DecomposeFrom = ParseHybridStart(),
            TrackRunningStats = Model.TrackRunningStats,
            Init = FactorInits.Parse(Model.Init),
        };
        bool textModel = ModelSpec.TextArchitectures.Contains(Model.Architecture);
        return data.Train switch
        {
            ImageDataset images when !textModel => (spec with
            {
                InChannels = images.Channels, Height = images.Height, Width = images.Width, NumClasses = data.ClassCount,
            }).Validate(),
            TokenSequences text when textModel => (spec with { NumClasses = text.Vocabulary.Count, SequenceLength = text.SequenceLength }).Validate(),
            TokenSequences => throw new ArgumentException(
                $"model.architecture '{Model.Architecture}' reads images, but dataset '{Dataset}' is a text corpus; use {string.Join(", ", ModelSpec.TextArchitectures)}"),
            _ => throw new ArgumentException(
                $"model.architecture '{Model.Architecture}' is a language model, but dataset '{Dataset}' holds images; use {string.Join(", ", ModelSpec.Architectures.Except(ModelSpec.TextArchitectures))}"),
        };
    }

    /// <summary>How a text corpus becomes batches (text.objective, text.mask_probability).</summary>
    public TextTask TextTask() => new TextTask(Data.TextTask.ParseObjective(Text.Objective), Text.MaskProbability).Validate();

    /// <summary>How the dataset is read (a text corpus's window length and vocabulary cut-off).</summary>
    public DatasetOptions DatasetOptions() => new() { SequenceLength = Text.SequenceLength, MinWordCount = Text.MinWordCount };

    public Data.PartitionSettings PartitionSettings() =>
        new(ParseScheme(), Federated.NumClients, Seed, Partition.Alpha, Partition.Shards, Partition.MinSamples);

    public IReadOnlyList<ResourceTier> ResourceTiers() =>
        Tiers.Select(t => new ResourceTier(t.Name, t.Share, t.MacsBudget, t.ParamsBudget).Validate()).ToList();

    public LocalTrainingConfig LocalTraining() => new LocalTrainingConfig
    {
        Epochs = Local.Epochs,
        BatchSize = Local.BatchSize,
        Momentum = Local.Momentum,
        WeightDecay = Local.WeightDecay,
        Penalty = Enum.Parse<PenaltyKind>(Local.Penalty, ignoreCase: true),
        PenaltyLambda = Local.PenaltyLambda,
    }.Validate();

    public CosineSchedule Schedule() => new CosineSchedule(Lr.Initial, Lr.Final, Federated.Rounds, Lr.WarmupRounds).Validate();

    /// <summary>
    /// pFedLMT's options: each tier's ratio from pfedlmt.tier_ratios, or for a tier it does not name the largest ratio on
    /// FedLMT's 0.01 grid that the tier affords, at most the reference's largest (1.4) - so a config that gives no ratios
    /// runs on any tiers. The authors' ratios are in the presets that mirror them.
    /// </summary>
    public PFedLmtOptions PFedLmtOptions(IReadOnlyList<ResourceTier> tiers, ModelSpec family)
    {
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tier in tiers)
            ratios[tier.Name] = Pfedlmt.TierRatios.TryGetValue(tier.Name, out double r) ? r
                : RatioSearch.LargestAffordable(family, [tier], ModelCostCatalog.Shared, maxRatio: FedLmt.Federated.PFedLmtOptions.ReferenceRatios[0]);
        foreach (var name in Pfedlmt.TierRatios.Keys.Where(n => !tiers.Any(t => t.Name == n)))
            throw new ArgumentException($"pfedlmt.tier_ratios names tier '{name}', which is not among tiers: {string.Join(", ", tiers.Select(t => t.Name))}");
        return new PFedLmtOptions { TierRatios = ratios, MetaRound = Pfedlmt.MetaRound, Stage1Ratio = Pfedlmt.Stage1Ratio };
    }

    /// <summary>The HeteroFL/FedRolex settings of the baselines section.</summary>
    public BaselineOptions BaselineOptions()
    {
        Check.Require(Baselines.Weighting is "examples" or "clients", "baselines.weighting", Baselines.Weighting, "examples, clients");
        return new BaselineOptions
        {
            Rates = [.. Baselines.Rates],
            ScaleActivations = Baselines.ScaleActivations,
            Weighting = Baselines.Weighting == "clients" ? ReplyWeighting.Clients : ReplyWeighting.Examples,
        }.Validate();
    }
}
