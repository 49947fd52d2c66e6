using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using static FedLmt.Baselines.Tests.BaselineTestKit;
using static TorchSharp.torch;

namespace FedLmt.Baselines.Tests;

public class FedHmStrategyTests
{
    static readonly ResourceTier Mid = new("mid", 0, MacsBudget: 0.7);
    static readonly ResourceTier Low = new("low", 0, MacsBudget: 0.45);

    [Fact]
    public void Each_tier_gets_the_largest_ratio_it_affords_and_a_tier_that_affords_the_full_model_trains_it()
    {
        var costs = ModelCostCatalog.Shared;
        var options = Options(TinyCnn, Full, Mid, Low);
        var strategy = new FedHmStrategy(options);
        Assert.Null(strategy.RatioOf(Full));
        Assert.False(strategy.ModelOf(Full)!.IsLowRank);
        var full = costs.Of(TinyCnn);
        foreach (var tier in new[] { Mid, Low })
        {
            double ratio = strategy.RatioOf(tier)!.Value;
            Assert.True(tier.Affords(costs.Of(TinyCnn.WithRatio(ratio)), full));
            Assert.False(tier.Affords(costs.Of(TinyCnn.WithRatio(Math.Round(ratio + 0.01, 10))), full), $"{tier.Name} could afford {ratio + 0.01}");
        }
        Assert.True(strategy.RatioOf(Low) < strategy.RatioOf(Mid));
    }

    [Fact]
    public void A_client_starts_from_the_truncated_SVD_of_the_global_weights()
    {
        var strategy = new FedHmStrategy(Options(TinyCnn, Full, Low));
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        var low = instructions[1];
        var global = strategy.GlobalParameters;
        int rank = LowRankMath.Rank(low.Spec.Ratio!.Value, 8, 3 * 4);

        // Second method: the rank-r SVD truncation of conv2's (C_out k) x (C_in k) matrix, recovered.
        using var matrix = LowRankMath.ConvWeightToMatrix(global["conv2.weight"]);
        var (u, v) = LowRankMath.Decompose(matrix, rank);
        using var expected = LowRankMath.MatrixToConvWeight(LowRankMath.Recover(u, v), 8, 4, 3);
        using var model = ModelFactory.Load(low.Spec, low.Parameters);
        var conv2 = LowRankConversion.FactorizedLayers(model)["conv2"];
        Assert.Equal(rank, conv2.Rank);
        using var recovered = conv2.RecoverWeight();
        Assert.True(recovered.allclose(expected, rtol: 1e-4, atol: 1e-6));
        // Layers that are never factorized travel as they are.
        Assert.True(low.Parameters["conv1.weight"].equal(global["conv1.weight"]).all().item<bool>());
        Assert.True(low.Parameters["fc2.weight"].equal(global["fc2.weight"]).all().item<bool>());
        // The full-model client gets the global model itself.
        Assert.True(instructions[0].Parameters["conv2.weight"].equal(global["conv2.weight"]).all().item<bool>());
        u.Dispose();
        v.Dispose();
        DisposeAll(instructions);
    }

    [Fact]
    public void The_recovered_average_equals_the_average_of_the_recovered_weights()
    {
        var strategy = new FedHmStrategy(Options(TinyCnn, Full, Mid, Low));
        var instructions = strategy.ConfigureTrain(0, [0, 1, 2]);
        // Replies: the instructed states perturbed by seeded noise (as if trained), weighted 1, 2 and 5 examples.
        long[] examples = [1, 2, 5];
        var replies = instructions.Select((ins, i) =>
        {
            var g = new Generator((ulong)(10 + i));
            using var noGrad = torch.no_grad();
            var perturbed = NamedTensors.Own(ins.Parameters.Select(kv => KeyValuePair.Create(kv.Key, kv.Value + 0.1 * torch.randn(kv.Value.shape, generator: g))));
            return new TrainReply(ins.ClientId, perturbed, examples[i], new Dictionary<string, double>());
        }).ToList();

        // By hand: each reply's conv2 weight is reshape(U V^T) from its (C_out, r, k, 1) and (r, C_in, 1, k) factors.
        Tensor Conv2Of(TrainReply r, ModelSpec spec)
        {
            if (!spec.IsLowRank) return r.Parameters["conv2.weight"];
            var u = r.Parameters["conv2.u"]; // (8, r, 3, 1): U[(o, kh), j] = u[o, j, kh, 0]
            var v = r.Parameters["conv2.v"]; // (r, 4, 1, 3): V[(i, kw), j] = v[j, i, 0, kw]
            long rank = u.shape[1];
            var uMatrix = u.squeeze(3).permute(0, 2, 1).reshape(8 * 3, rank);
            var vMatrix = v.squeeze(2).permute(1, 2, 0).reshape(4 * 3, rank);
            return uMatrix.matmul(vMatrix.t()).reshape(8, 3, 4, 3).permute(0, 2, 1, 3);
        }
        Tensor Fc1Of(TrainReply r, ModelSpec spec) =>
            spec.IsLowRank ? r.Parameters["fc1.u"].matmul(r.Parameters["fc1.v"].t()) : r.Parameters["fc1.weight"];
        using var scope = torch.NewDisposeScope();
        var specs = instructions.Select(i => i.Spec).ToList();
        Assert.Equal(3, specs.Select(s => s.Ratio).Distinct().Count()); // three different ranks
        var expectedConv2 = replies.Select((r, i) => Conv2Of(r, specs[i]) * examples[i]).Aggregate((a, b) => a + b) / examples.Sum();
        var expectedFc1 = replies.Select((r, i) => Fc1Of(r, specs[i]) * examples[i]).Aggregate((a, b) => a + b) / examples.Sum();
        var expectedConv1 = replies.Select((r, i) => r.Parameters["conv1.weight"] * examples[i]).Aggregate((a, b) => a + b) / examples.Sum();

        strategy.AggregateTrain(0, replies, []);

        var global = strategy.GlobalParameters;
        Assert.True(global["conv2.weight"].allclose(expectedConv2, rtol: 1e-5, atol: 1e-6));
        Assert.True(global["fc1.weight"].allclose(expectedFc1, rtol: 1e-5, atol: 1e-6));
        Assert.True(global["conv1.weight"].allclose(expectedConv1, rtol: 1e-5, atol: 1e-6));
        DisposeAll(replies);
        DisposeAll(instructions);
    }

    [Fact]
    public void Exported_state_resumes_to_the_same_global_model()
    {
        var options = Options(TinyCnn, Full, Low);
        var a = new FedHmStrategy(options);
        var instructions = a.ConfigureTrain(0, [0, 1]);
        var replies = instructions.Select(i => Reply(i.ClientId, i.Parameters, 3)).ToList();
        a.AggregateTrain(0, replies, []);
        using var state = a.ExportState();
        var b = new FedHmStrategy(options);
        b.ImportState(state);
        Assert.Equal(1, b.CompletedRounds);
        foreach (var name in a.GlobalParameters.Names)
            Assert.True(a.GlobalParameters[name].equal(b.GlobalParameters[name]).all().item<bool>(), name);
        Assert.Throws<ArgumentException>(() => new HeteroFlStrategy(options).ImportState(state));
        DisposeAll(replies);
        DisposeAll(instructions);
    }
}
