using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;
using FedLmt.Runs;

namespace FedLmt.Runs.Tests;

/// <summary>The authors' evaluation batches and pFedLMT's default ratios, as a run sets them up.</summary>
public class EvaluationProtocolTests
{
    static RunConfig Config(params string[] overrides) => ConfigLoader.Parse("""
        name: protocol
        model: { architecture: mlp, width_multiplier: 0.25 }
        federated: { num_clients: 10, fraction: 0.3, rounds: 2 }
        tiers:
          - { name: strong, share: 0.5 }
          - { name: weak, share: 0.5, macs_budget: 0.35 }
        """, overrides);

    [Fact]
    public void By_class_order_reads_each_client_split_grouped_by_class_in_batches_of_100()
    {
        var dataset = RunSetup.Create(Config("evaluation.order=dataset"));
        var grouped = RunSetup.Create(Config("evaluation.order=by_class", "evaluation.batch_size=100"));
        var labels = grouped.Data.Test.Labels;
        for (int client = 0; client < 10; client++)
        {
            // The same samples, the train split untouched; only the test order differs.
            Assert.Equal(dataset.Partition.Test[client].Order(), grouped.Partition.Test[client].Order());
            Assert.Equal(dataset.Partition.Train[client], grouped.Partition.Train[client]);

            var batches = grouped.Clients[client].TestBatches(100).ToList();
            var seen = new List<long>();
            foreach (var (x, y) in batches)
            {
                seen.AddRange(y.data<long>().ToArray());
                x.Dispose();
                y.Dispose();
            }
            int count = grouped.Partition.Test[client].Length;
            Assert.Equal((count + 99) / 100, batches.Count);
            // Classes ascending; within a class, dataset order: exactly the sort of the client's labels by (class, index).
            var expected = grouped.Partition.Test[client].Select(i => (long)labels[i]).ToList();
            Assert.Equal(expected.Order(), seen);
            Assert.Equal(dataset.Partition.Test[client].OrderBy(i => labels[i]).ThenBy(i => i), grouped.Partition.Test[client]);
        }
    }

    [Fact]
    public void An_unknown_evaluation_order_is_refused_by_key_with_the_allowed_values()
    {
        var e = Assert.Throws<ArgumentException>(() => Config("evaluation.order=shuffled").Validate());
        Assert.Contains("evaluation.order", e.Message);
        Assert.Contains("dataset, by_class", e.Message);
    }

    [Fact]
    public void Pfedlmt_without_tier_ratios_gives_each_tier_the_largest_ratio_it_affords()
    {
        var config = Config("algorithm=pfedlmt");
        var setup = RunSetup.Create(config);
        var ratios = config.PFedLmtOptions(setup.Population.Tiers, setup.Spec).TierRatios;
        Assert.Equal(1.4, ratios["strong"]); // no budget: the reference's largest ratio
        var costs = ModelCostCatalog.Shared;
        var full = costs.Of(setup.Spec.AsFull());
        double Share(double r) => (double)costs.Of(setup.Spec.WithRatio(r)).MacsPerSample / full.MacsPerSample;
        double weak = ratios["weak"];
        Assert.True(Share(weak) <= 0.35, $"weak ratio {weak} costs {Share(weak):P1} of the full MACs");
        Assert.True(Share(Math.Round(weak + 0.01, 2)) > 0.35, $"weak ratio {weak} is not the largest affordable");
        Assert.IsType<PFedLmtStrategy>(setup.Strategy);
    }

    [Fact]
    public void Given_tier_ratios_are_kept()
    {
        var config = Config("algorithm=pfedlmt", "pfedlmt.tier_ratios.weak=0.05");
        var setup = RunSetup.Create(config);
        var ratios = config.PFedLmtOptions(setup.Population.Tiers, setup.Spec).TierRatios;
        Assert.Equal(0.05, ratios["weak"]);
        Assert.Equal(1.4, ratios["strong"]);
    }

    [Fact]
    public void The_authors_init_reaches_the_model_from_the_config()
    {
        var config = Config("model.architecture=cnn", "model.ratio=0.1", "model.init=kaiming_fan_out");
        Assert.Equal(FactorInit.KaimingFanOut, RunSetup.Create(config).Spec.Init);
        var e = Assert.Throws<ArgumentException>(() => Config("model.init=kaiming").Validate());
        Assert.Contains("kaiming_fan_out", e.Message);
    }
}
