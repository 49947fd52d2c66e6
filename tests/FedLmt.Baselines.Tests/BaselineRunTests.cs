using FedLmt.Runs;

namespace FedLmt.Baselines.Tests;

/// <summary>Each baseline end to end through the simulation runner, on the embedded Fashion-MNIST subset with a small MLP.</summary>
public class BaselineRunTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("fedlmt-baselines-").FullName;

    /// <summary>10 clients, 3 a round, 4 rounds; the weak half affords half the MLP's MACs.</summary>
    internal static RunConfig Small(string algorithm, params string[] overrides) => ConfigLoader.Parse($"""
        name: small-{algorithm}
        algorithm: {algorithm}
        model: {"{"} architecture: mlp, width_multiplier: 0.25 {"}"}
        federated: {"{"} num_clients: 10, fraction: 0.3, rounds: 4 {"}"}
        tiers:
          - {"{"} name: strong, share: 0.5 {"}"}
          - {"{"} name: weak, share: 0.5, macs_budget: 0.5 {"}"}
        lr: {"{"} initial: 0.05, final: 0.001 {"}"}
        local: {"{"} batch_size: 32 {"}"}
        evaluation: {"{"} every: 2 {"}"}
        checkpoint: {"{"} every: 2 {"}"}
        """, overrides);

    [Theory]
    [InlineData("heterofl")]
    [InlineData("fedrolex")]
    [InlineData("fedhm")]
    public void A_short_run_learns_well_above_chance(string algorithm)
    {
        var summary = new SimulationRunner(Small(algorithm), Path.Combine(_root, algorithm)).Run();
        Assert.Equal(4, summary.RoundsCompleted);
        Assert.Equal(algorithm, summary.Algorithm);
        Assert.True(summary.FinalGlobalAccuracy > 0.5, $"{algorithm}: accuracy {summary.FinalGlobalAccuracy} (chance is 0.1)");
        Assert.True(summary.FinalClientMeanAccuracy > 0.5, $"{algorithm}: mean client accuracy {summary.FinalClientMeanAccuracy}");
        // The weak half trains smaller models, so the run moves and computes less than FedAvg on the full model would.
        Assert.True(summary.TotalBytes < summary.FedAvgEquivalentBytes);
        Assert.True(summary.TotalClientMacs < summary.FedAvgEquivalentClientMacs);
        Assert.Contains("weak:", summary.Model);
    }

    [Fact]
    public void The_baselines_section_is_read_and_a_bad_value_is_refused_naming_its_key()
    {
        var config = Small("heterofl", "baselines.rates=[1, 0.3]", "baselines.weighting=clients", "baselines.scale_activations=false");
        var options = config.BaselineOptions();
        Assert.Equal([1.0, 0.3], options.Rates);
        Assert.Equal(ReplyWeighting.Clients, options.Weighting);
        Assert.False(options.ScaleActivations);
        Assert.Equal(BaselineOptions.DefaultRates, Small("heterofl").BaselineOptions().Rates);
        Assert.Contains("baselines.weighting", Assert.Throws<ArgumentException>(() => Small("heterofl", "baselines.weighting=sometimes")).Message);
        Assert.Contains("baselines.rates", Assert.Throws<ArgumentException>(() => Small("heterofl", "baselines.rates=[0]")).Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
