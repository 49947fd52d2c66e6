using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;
using FedLmt.Tests;
using TorchSharp;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

public class PFedLmtStrategyTests
{
    static readonly ResourceTier Big = new("big", 0.5);
    static readonly ResourceTier Small = new("small", 0.5);

    // Clients 0, 2 big; 1, 3 small.
    static ClientPopulation Pairs => new([Big, Small, Big, Small]);

    /// <summary>fc1 full rank and common; fc2 (factorized) and the head custom.</summary>
    static ModelSpec MlpFromFc2 => SyntheticProblem.Mlp() with { DecomposeFrom = new HybridStart(1, 0) };

    static PFedLmtOptions Ratios(double big, double small, int metaRound = 0, double? stage1 = null) =>
        new() { TierRatios = new Dictionary<string, double> { ["big"] = big, ["small"] = small }, MetaRound = metaRound, Stage1Ratio = stage1 };

    [Fact]
    public void Stage_two_averages_only_common_entries_and_each_client_keeps_its_own_custom_ones()
    {
        var strategy = new PFedLmtStrategy(Options(MlpFromFc2, Pairs), Ratios(1.0, 0.25));
        Assert.True(strategy.Personalized);
        Assert.Equal(["fc1.weight", "fc1.bias"], strategy.GlobalParameters.Names);
        using var untouched = strategy.CustomOf(2).Clone();

        var round0 = strategy.ConfigureTrain(0, [0, 1]);
        using (var a = ConstantReply(0, round0[0].Parameters, 1f, examples: 10))
        using (var b = ConstantReply(1, round0[1].Parameters, 3f, examples: 30))
            strategy.AggregateTrain(0, [a, b], []);

        AllEqual(strategy.GlobalParameters, 2.5f); // (10 x 1 + 30 x 3) / 40
        AllEqual(strategy.CustomOf(0), 1f);
        AllEqual(strategy.CustomOf(1), 3f);
        Assert.True(Identical(untouched, strategy.CustomOf(2))); // client 2 has not trained: still its tier's start

        var round1 = strategy.ConfigureTrain(1, [1]);
        using (var b = ConstantReply(1, round1[0].Parameters, 5f, examples: 30))
            strategy.AggregateTrain(1, [b], []);

        AllEqual(strategy.CustomOf(0), 1f); // client B's update leaves client A's custom tensors alone
        AllEqual(strategy.CustomOf(1), 5f);
        AllEqual(strategy.GlobalParameters, 5f);
        foreach (var i in round0.Concat(round1)) i.Dispose();
    }

    [Fact]
    public void Stage_two_gives_each_client_its_tier_model_and_the_custom_then_common_schedule()
    {
        var strategy = new PFedLmtStrategy(Options(MlpFromFc2, Pairs), Ratios(1.0, 0.25));
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        Assert.Equal([1.0, 0.25], instructions.Select(i => i.Spec.Ratio!.Value));
        Assert.All(instructions, i => Assert.Equal(TrainPhase.CustomThenCommon, i.Phases));
        Assert.Equal(16, instructions[0].Parameters["fc2.u"].shape[1]); // round(1.0 x 16)
        Assert.Equal(4, instructions[1].Parameters["fc2.u"].shape[1]);  // round(0.25 x 16)
        foreach (var i in instructions)
            Assert.True(Identical(strategy.GlobalParameters.Concat(strategy.CustomOf(i.ClientId)), i.Parameters));
        Assert.Null(strategy.CreateGlobalModel());
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void Stage_one_is_fedlmt_at_the_smallest_tier_ratio_with_everything_averaged()
    {
        var strategy = new PFedLmtStrategy(Options(MlpFromFc2, Pairs), Ratios(1.0, 0.25, metaRound: 2));
        Assert.False(strategy.Personalized);
        var instructions = strategy.ConfigureTrain(1, [0, 1]);
        Assert.All(instructions, i => Assert.Equal(0.25, i.Spec.Ratio));
        Assert.All(instructions, i => Assert.Equal(TrainPhase.AllAtOnce, i.Phases));
        using (var a = ConstantReply(0, instructions[0].Parameters, 1f, examples: 1))
        using (var b = ConstantReply(1, instructions[1].Parameters, 3f, examples: 1))
            strategy.AggregateTrain(1, [a, b], []);
        Assert.Contains("fc2.u", strategy.GlobalParameters.Names);
        AllEqual(strategy.GlobalParameters, 2f);
        Assert.False(strategy.Personalized);
        strategy.ConfigureTrain(2, [0]);
        Assert.True(strategy.Personalized);
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void The_meta_round_decomposition_is_exact_at_full_rank_and_the_best_approximation_below_it()
    {
        // A CNN so that both a factorized conv (conv2, full rank 12) and a factorized linear (fc1, full rank 8) are covered.
        var data = SyntheticProblem.Clients(2);
        var strategy = new PFedLmtStrategy(Options(SyntheticProblem.Cnn(), new ClientPopulation([Big, Small])),
            Ratios(big: 3.0, small: 0.125, metaRound: 1, stage1: 3.0));
        new FederatedServer(strategy, new InProcessGrid(c => data[c])).RunTrainRound(0);
        using var stage1 = strategy.CreateGlobalModel()!;
        using var full = LowRankConversion.Recover(stage1);
        var fullState = full.state_dict();

        var instructions = strategy.ConfigureTrain(1, [0, 1]);
        Assert.True(strategy.Personalized);
        using var big = ModelFactory.Load(instructions[0].Spec, instructions[0].Parameters);
        using var small = ModelFactory.Load(instructions[1].Spec, instructions[1].Parameters);

        var bigLayers = LowRankConversion.FactorizedLayers(big);
        var smallLayers = LowRankConversion.FactorizedLayers(small);
        Assert.Equal(["conv2", "fc1"], bigLayers.Keys.Order());
        Assert.Equal((12, 8), (bigLayers["conv2"].Rank, bigLayers["fc1"].Rank));
        Assert.Equal((1, 2), (smallLayers["conv2"].Rank, smallLayers["fc1"].Rank)); // round(0.125 x 8), round(0.125 x 16)
        foreach (var (prefix, layer) in bigLayers)
        {
            using var recovered = layer.RecoverWeight();
            TensorAssert.Close(fullState[prefix + ".weight"], recovered, 1e-5);
        }
        foreach (var (prefix, layer) in smallLayers)
        {
            var weight = fullState[prefix + ".weight"];
            using var matrix = (weight.dim() == 4 ? LowRankMath.ConvWeightToMatrix(weight) : weight).to(ScalarType.Float64);
            using var recovered = layer.RecoverWeight();
            using var recoveredMatrix = (recovered.dim() == 4 ? LowRankMath.ConvWeightToMatrix(recovered) : recovered).to(ScalarType.Float64);
            double error = (matrix - recoveredMatrix).square().sum().item<double>();
            var singular = torch.linalg.svdvals(matrix).data<double>().ToArray();
            double tail = singular.Skip(layer.Rank).Sum(s => s * s); // Eckart-Young: the discarded singular values
            Assert.True(tail > 0);
            Assert.Equal(tail, error, tail * 1e-4);
        }
        // Entries outside the factors come over unchanged: the common stem, biases, the head.
        foreach (var name in new[] { "conv1.weight", "conv1.bias", "conv2.bias", "fc1.bias", "fc2.weight", "fc2.bias" })
        {
            Assert.True(fullState[name].eq(big.state_dict()[name]).all().item<bool>(), name);
            Assert.True(fullState[name].eq(small.state_dict()[name]).all().item<bool>(), name);
        }
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void A_tier_ratio_over_that_tiers_budget_is_refused_naming_the_tier()
    {
        var population = new ClientPopulation([Strong, Weak]);
        var e = Assert.Throws<InvalidOperationException>(() => new PFedLmtStrategy(Options(SyntheticProblem.Mlp(), population),
            new PFedLmtOptions { TierRatios = new Dictionary<string, double> { ["strong"] = 1.4, ["weak"] = 0.6 } }));
        Assert.Contains("'weak'", e.Message);
    }

    [Fact]
    public void A_tier_without_a_ratio_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => new PFedLmtStrategy(Options(SyntheticProblem.Mlp(), Pairs),
            new PFedLmtOptions { TierRatios = new Dictionary<string, double> { ["big"] = 1.0 } }));
        Assert.Contains("'small'", e.Message);
    }

    [Fact]
    public void Personalized_evaluation_gives_each_client_its_own_model_and_reports_the_mean_over_clients()
    {
        var strategy = new PFedLmtStrategy(Options(MlpFromFc2, Pairs), Ratios(1.0, 0.25));
        var instructions = strategy.ConfigureEvaluate(0, [0, 1, 3]);
        Assert.Equal([1.0, 0.25, 0.25], instructions.Select(i => i.Spec.Ratio!.Value));
        Assert.All(instructions, i => Assert.True(Identical(strategy.GlobalParameters.Concat(strategy.CustomOf(i.ClientId)), i.Parameters)));

        EvaluateReply Reply(int client, long n, double accuracy) =>
            new(client, n, new Dictionary<string, double> { [MetricNames.TestAccuracy] = accuracy, [MetricNames.TestLoss] = 1 - accuracy });
        var summary = strategy.AggregateEvaluate(0, [Reply(0, 10, 0.5), Reply(1, 30, 1.0)], [new ClientFailure(3, "gone")]);
        Assert.Equal(0.75, summary.MeanAccuracy, 12);          // (0.5 + 1.0) / 2
        Assert.Equal(35.0 / 40, summary.WeightedAccuracy, 12); // (5 + 30) / 40
        Assert.Equal((2, 1, 40L), (summary.Clients, summary.Failures, summary.Examples));
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void Personalized_training_lifts_every_clients_accuracy_well_above_chance()
    {
        var data = SyntheticProblem.Clients(4);
        var options = Options(MlpFromFc2, Pairs, lr: 0.1, rounds: 8, local: new LocalTrainingConfig { Epochs = 2, BatchSize = 16, WeightDecay = 1e-4 });
        var server = new FederatedServer(new PFedLmtStrategy(options, Ratios(1.0, 0.25)), new InProcessGrid(c => data[c]));
        for (int round = 0; round < 8; round++) server.RunTrainRound(round);
        var after = server.RunEvaluation(8, [0, 1, 2, 3]);
        Assert.True(after.MeanAccuracy > 0.75, $"mean personalized accuracy {after.MeanAccuracy:P1} (chance 25%)");
    }

    [Fact]
    public void An_exported_personalized_state_resumes_to_the_numbers_of_an_uninterrupted_run()
    {
        var data = SyntheticProblem.Clients(4);
        var options = Options(MlpFromFc2, Pairs, fraction: 0.5);
        var pfedlmt = Ratios(1.0, 0.25, metaRound: 1);

        var straight = new PFedLmtStrategy(options, pfedlmt);
        var straightServer = new FederatedServer(straight, new InProcessGrid(c => data[c]));
        for (int round = 0; round < 4; round++) straightServer.RunTrainRound(round);

        var first = new PFedLmtStrategy(options, pfedlmt);
        var firstServer = new FederatedServer(first, new InProcessGrid(c => data[c]));
        for (int round = 0; round < 3; round++) firstServer.RunTrainRound(round);
        using var checkpoint = first.ExportState();
        Assert.Equal(1, checkpoint.Scalars["personalized"]);
        var resumed = new PFedLmtStrategy(options, pfedlmt);
        Assert.False(resumed.Personalized);
        resumed.ImportState(checkpoint);
        new FederatedServer(resumed, new InProcessGrid(c => data[c])).RunTrainRound(3);

        Assert.True(Identical(straight.GlobalParameters, resumed.GlobalParameters));
        for (int c = 0; c < 4; c++) Assert.True(Identical(straight.CustomOf(c), resumed.CustomOf(c)), $"client {c}");
    }

    static void AllEqual(NamedTensors tensors, float value) =>
        Assert.All(tensors, kv => Assert.All(Values(kv.Value), v => Assert.Equal(value, v)));
}
