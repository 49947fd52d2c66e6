using System.Globalization;
using System.Reflection;
using FedLmt.Data;
using FedLmt.Layers;
using FedLmt.Models;
using YamlDotNet.Serialization.NamingConventions;

namespace FedLmt.Runs;

/// <summary>What each config key means and allows (what `fedlmt simulate --keys` prints), with its default.</summary>
public static class ConfigKeys
{
    /// <summary>A key, its default as YAML, and its meaning with the values allowed.</summary>
    public sealed record Key(string Name, string Default, string Meaning);

    static readonly IReadOnlyDictionary<string, string> Meanings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["name"] = "the run's name: the default output folder runs/<name>",
        ["seed"] = "seeds model init, partition, tier assignment, sampling and every client's batch order",
        ["algorithm"] = $"the algorithm: {string.Join(", ", Algorithms.Names)}",
        ["dataset"] = $"the data: {string.Join("; ", DatasetResolver.Forms.Select(f => f.Form))}",
        ["model.architecture"] = $"the model family: {string.Join(", ", ModelSpec.Architectures)}",
        ["model.width_multiplier"] = "channel width factor of the model, in (0, 8]",
        ["model.ratio"] = "FedLMT's rank ratio of the factorized layers (> 0); absent: the largest the weakest tier affords",
        ["model.decompose_from"] = "the hybrid start '(stage,block)': layers before it stay full, the rest are factorized",
        ["model.track_running_stats"] = "BatchNorm keeps running statistics (false: batch statistics at test time, as the authors)",
        ["model.init"] = $"factor initialization: {string.Join(", ", FactorInits.Names)} (kaiming_fan_out is the authors')",
        ["federated.num_clients"] = "clients in the federation (>= 1)",
        ["federated.fraction"] = "fraction of the eligible clients sampled each round, in (0, 1]",
        ["federated.rounds"] = "communication rounds",
        ["partition.scheme"] = "how data is split over clients: iid, shards, dirichlet; for text also contiguous (the authors' stream split) and by_source (one client per source)",
        ["partition.alpha"] = "Dirichlet concentration (smaller: more skewed label mixes), > 0",
        ["partition.shards"] = "classes per client under the shards scheme",
        ["partition.min_samples"] = "fewest training samples a client may get (Dirichlet redraws until met)",
        ["tiers"] = "resource tiers: a list of { name, share, macs_budget, params_budget } (budgets as fractions of the full model; [] for none)",
        ["lr.initial"] = "server learning rate at round 0 (cosine schedule)",
        ["lr.final"] = "learning rate the cosine schedule reaches at the last round",
        ["lr.warmup_rounds"] = "rounds of linear warm-up before the cosine schedule",
        ["local.epochs"] = "local epochs per round",
        ["local.batch_size"] = "local batch size",
        ["local.momentum"] = "SGD momentum (reset every round, as the authors)",
        ["local.weight_decay"] = "SGD weight decay on every parameter",
        ["local.penalty"] = "factor penalty: none, frobenius, kronecker, l2",
        ["local.penalty_lambda"] = "weight of the factor penalty",
        ["pfedlmt.tier_ratios"] = "pFedLMT's ratio per tier name, e.g. { strong: 0.6, weak: 0.15 }; absent: the largest each tier affords (<= 1.4)",
        ["pfedlmt.meta_round"] = "the first personalized round (0: personalized from the start)",
        ["pfedlmt.stage1_ratio"] = "the shared ratio before the meta round; absent: the smallest tier ratio",
        ["baselines.rates"] = "HeteroFL/FedRolex width rates a tier may get (the largest it affords)",
        ["baselines.scale_activations"] = "divide hidden activations by the width rate while training (HeteroFL's scaler)",
        ["baselines.weighting"] = "how replies are weighted: examples, clients",
        ["evaluation.every"] = "evaluate every N rounds and after the last (0: never)",
        ["evaluation.batch_size"] = "test batch size (with batch statistics it is part of the prediction)",
        ["evaluation.order"] = $"how a client's test split is read: {string.Join(", ", RunConfig.EvaluationOrders)} (by_class: the authors')",
        ["text.sequence_length"] = "a text corpus's window: positions the transformer sees (the authors' bptt, 64)",
        ["text.objective"] = "what the language model predicts: masked (the authors': every original token, inputs masked) or next_token",
        ["text.mask_probability"] = "the masked objective's chance that an input token becomes the mask token, in [0, 1)",
        ["text.min_word_count"] = "a word rarer than this in the training text becomes <unk> (absent: the corpus's rule; WikiText-2 keeps all)",
        ["checkpoint.every"] = "checkpoint every N rounds (and after the last); a deployed server checkpoints every round",
        ["simulation.workers"] = "clients trained at once in one simulation process (results do not depend on it)",
        ["simulation.threads"] = "libtorch threads (0: one per core)",
    };

    /// <summary>Every key of the config, in file order, with its default and meaning.</summary>
    public static IReadOnlyList<Key> All()
    {
        var defaults = new RunConfig();
        return ConfigLoader.KnownKeys().Select(k => new Key(k, DefaultOf(defaults, k), Meanings.GetValueOrDefault(k, ""))).ToList();
    }

    /// <summary>The keys without a meaning (a key added without saying what it is).</summary>
    public static IReadOnlyList<string> Undocumented() => ConfigLoader.KnownKeys().Where(k => !Meanings.ContainsKey(k)).ToList();

    // Lists and maps as JSON, which YAML reads as they are: the default can be pasted into a config.
    static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    static string DefaultOf(object config, string key)
    {
        object? value = config;
        foreach (var part in key.Split('.'))
            value = value!.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .First(p => UnderscoredNamingConvention.Instance.Apply(p.Name) == part).GetValue(value);
        return value switch
        {
            null => "(absent)",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            string s => s,
            _ => System.Text.Json.JsonSerializer.Serialize(value, value.GetType(), Json).Replace(",", ", "),
        };
    }
}
