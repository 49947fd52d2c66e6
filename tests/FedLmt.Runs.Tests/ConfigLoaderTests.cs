using FedLmt.Runs;

namespace FedLmt.Runs.Tests;

public class ConfigLoaderTests
{
    [Fact]
    public void Defaults_are_the_main_job_and_valid()
    {
        var c = ConfigLoader.Parse("{}");
        Assert.Equal("fedlmt", c.Algorithm);
        Assert.Equal("fmnist-embedded", c.Dataset);
        Assert.Equal(20, c.Federated.NumClients);
        Assert.Equal(2, c.Tiers.Count);
    }

    [Fact]
    public void An_empty_config_file_is_refused_instead_of_running_the_default_job()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("fedlmt-config-").FullName, "run.yaml");
        File.WriteAllText(path, "\n  \n");
        var e = Assert.Throws<ArgumentException>(() => ConfigLoader.Load(path));
        Assert.Contains($"config file {path} is empty", e.Message);
    }

    [Theory]
    [InlineData("name: x\n---\nseed: 2\n", "(text): line 3: a second YAML document")]
    [InlineData("name: x\n[1, 2]: 3\n", "(text): line 2: a key must be a plain name, not a list")]
    [InlineData("model: { {a: 1}: 2 }\n", "(text): line 1: a key must be a plain name, not a mapping")]
    public void Yaml_a_config_cannot_use_is_refused_with_its_line(string yaml, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ConfigLoader.Parse(yaml));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void A_model_too_wide_to_build_is_refused_before_anything_is_allocated()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("model: { width_multiplier: 1e9 }").ModelSpecFor(Data.DatasetResolver.Resolve(null)));
        Assert.Contains("model.width_multiplier", e.Message);
        Assert.Contains("(0, 8]", e.Message);
    }

    [Fact]
    public void Shipped_default_preset_equals_the_built_in_defaults()
    {
        string repoConfigs = Path.Combine(RepoRoot(), "configs", "default.yaml");
        var fromFile = ConfigLoader.Load(repoConfigs);
        var builtIn = ConfigLoader.Parse("{}");
        Assert.Equal(Serialize(builtIn), Serialize(fromFile));
    }

    [Fact]
    public void Every_shipped_preset_validates_and_those_whose_data_is_here_set_up()
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "configs"), "*.yaml");
        Assert.Contains(files, f => f.EndsWith("fmnist-bench-fedlmt.yaml"));
        int setUp = 0;
        foreach (var file in files)
        {
            var config = ConfigLoader.Load(file).Validate();
            Assert.Equal(Path.GetFileNameWithoutExtension(file) is "default" ? "fedlmt-fmnist" : Path.GetFileNameWithoutExtension(file), config.Name);
            var (dataset, path) = Data.DatasetResolver.Parse(config.Dataset);
            // CIFAR, SVHN and Tiny-ImageNet cannot be downloaded here; the embedded subset always is, full Fashion-MNIST when installed.
            if (dataset != "fmnist-embedded" && !(dataset == "fmnist" && Directory.Exists(path ?? "/usr/share/datasets/fashion-mnist"))) continue;
            // The whole setup the preset's run would build: data, partition, tiers, and the strategy (model init, ratio search).
            var setup = RunSetup.Create(config);
            Assert.Equal(config.Federated.NumClients, setup.Clients.Count);
            Assert.Equal(config.Algorithm, setup.Strategy.Name);
            Assert.NotEmpty(setup.Strategy.EligibleClients);
            setUp++;
        }
        Assert.True(setUp >= 3, $"only {setUp} presets could be set up");
    }

    [Fact]
    public void Unknown_key_is_refused_with_its_path_line_and_the_allowed_keys()
    {
        var ex = Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("seed: 3\nlocal:\n  epochs: 2\n  batchsize: 8\n"));
        Assert.Contains("line 4", ex.Message);
        Assert.Contains("unknown key 'local.batchsize'", ex.Message);
        Assert.Contains("batch_size", ex.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_refused_naming_key_and_line()
    {
        var ex = Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("federated:\n  rounds: many\n"));
        Assert.Contains("line 2", ex.Message);
        Assert.Contains("federated.rounds = 'many'", ex.Message);
        Assert.Contains("an integer", ex.Message);
    }

    [Theory]
    [InlineData("algorithm: fedprox", "algorithm = fedprox")]
    [InlineData("partition: { scheme: random }", "partition.scheme = random")]
    [InlineData("model: { decompose_from: here }", "model.decompose_from")]
    [InlineData("evaluation: { every: -1 }", "evaluation.every = -1")]
    [InlineData("local: { penalty: nuclear }", "local.penalty = nuclear")]
    public void Bad_values_are_refused_naming_the_key(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => ConfigLoader.Parse(yaml)).Message);

    [Fact]
    public void Overrides_set_nested_keys_and_are_checked_like_the_file()
    {
        var c = ConfigLoader.Parse("federated: { rounds: 7 }", ["federated.rounds=3", "model.ratio=0.25", "lr.initial=0.2"]);
        Assert.Equal(3, c.Federated.Rounds);
        Assert.Equal(0.25, c.Model.Ratio);
        Assert.Equal(0.2, c.Lr.Initial);
        Assert.Contains("unknown key 'lr.start'", Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("{}", ["lr.start=1"])).Message);
        Assert.Contains("key.path=value", Assert.Throws<ArgumentException>(() => ConfigLoader.Parse("{}", ["rounds"])).Message);
    }

    [Fact]
    public void Known_keys_list_every_leaf()
    {
        var keys = ConfigLoader.KnownKeys();
        Assert.Contains("federated.num_clients", keys);
        Assert.Contains("local.penalty_lambda", keys);
        Assert.Contains("pfedlmt.meta_round", keys);
    }

    [Fact]
    public void Evaluation_runs_every_k_rounds_and_after_the_last_and_never_when_k_is_0()
    {
        var every5 = ConfigLoader.Parse("federated: { rounds: 12 }\nevaluation: { every: 5 }");
        // 1-based rounds 5, 10 and the last, 12.
        Assert.Equal(new[] { 5, 10, 12 }, Enumerable.Range(0, 12).Where(every5.EvaluatesAfter).Select(r => r + 1));
        var never = ConfigLoader.Parse("federated: { rounds: 12 }\nevaluation: { every: 0 }");
        Assert.DoesNotContain(Enumerable.Range(0, 12), never.EvaluatesAfter);
    }

    static string Serialize(RunConfig c) =>
        new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(c);

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FedLmt.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
