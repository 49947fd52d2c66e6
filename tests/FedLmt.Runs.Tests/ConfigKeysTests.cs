using FedLmt.Runs;

namespace FedLmt.Runs.Tests;

public class ConfigKeysTests
{
    [Fact]
    public void Every_config_key_says_what_it_means()
    {
        Assert.Empty(ConfigKeys.Undocumented());
        Assert.Equal(ConfigLoader.KnownKeys(), ConfigKeys.All().Select(k => k.Name));
        Assert.All(ConfigKeys.All(), k => Assert.False(string.IsNullOrWhiteSpace(k.Meaning), k.Name));
    }

    [Theory]
    [InlineData("federated.rounds", "30")]
    [InlineData("lr.final", "0.0001")]
    [InlineData("model.ratio", "(absent)")]
    [InlineData("model.track_running_stats", "false")]
    [InlineData("baselines.rates", "[1, 0.5, 0.25, 0.125, 0.0625]")]
    [InlineData("pfedlmt.tier_ratios", "{}")]
    [InlineData("evaluation.order", "dataset")]
    public void Defaults_are_shown_as_a_config_would_write_them(string key, string shown)
    {
        Assert.Equal(shown, ConfigKeys.All().Single(k => k.Name == key).Default);
    }

    [Fact]
    public void A_default_list_pasted_into_a_config_gives_the_default_back()
    {
        string tiers = ConfigKeys.All().Single(k => k.Name == "tiers").Default;
        var pasted = ConfigLoader.Parse($"tiers: {tiers}\n");
        var defaults = new RunConfig();
        Assert.Equal(defaults.Tiers.Select(t => (t.Name, t.Share, t.MacsBudget, t.ParamsBudget)),
            pasted.Tiers.Select(t => (t.Name, t.Share, t.MacsBudget, t.ParamsBudget)));
    }

    [Fact]
    public void The_allowed_values_listed_are_the_ones_validation_accepts()
    {
        string algorithms = ConfigKeys.All().Single(k => k.Name == "algorithm").Meaning;
        foreach (var name in Algorithms.Names)
        {
            Assert.Contains(name, algorithms);
            Assert.Equal(name, ConfigLoader.Parse($"algorithm: {name}\n").Validate().Algorithm);
        }
    }
}
