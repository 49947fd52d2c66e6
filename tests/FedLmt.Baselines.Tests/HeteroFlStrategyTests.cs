using FedLmt.Federated;
using static FedLmt.Baselines.Tests.BaselineTestKit;

namespace FedLmt.Baselines.Tests;

public class HeteroFlStrategyTests
{
    [Fact]
    public void Each_tier_gets_the_largest_rate_on_the_grid_it_affords_and_a_tier_that_affords_none_is_left_out()
    {
        var strategy = new HeteroFlStrategy(Options(TinyMlp, Full, HalfWidth, QuarterWidth, Starved));
        Assert.Equal(1.0, strategy.RateOf(Full));
        Assert.Equal(0.5, strategy.RateOf(HalfWidth));
        Assert.Equal(0.25, strategy.RateOf(QuarterWidth));
        Assert.Null(strategy.RateOf(Starved));
        Assert.Equal([0, 1, 2], strategy.EligibleClients);
        // Every client available (a simulation, or a deployment with all connected): the starved client 3 is never drawn.
        Assert.Equal([0, 1, 2], strategy.SampleClients(0, [0, 1, 2, 3]));
        Assert.Equal([0, 2], strategy.SampleClients(0, [0, 2, 3]));
        Assert.Contains("starved: left out", strategy.DescribeTiers());
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    public void No_client_ever_gets_a_sub_model_over_its_budget(string architecture)
    {
        var costs = ModelCostCatalog.Shared;
        var tiers = new[] { Full, HalfWidth, QuarterWidth, new ResourceTier("seventy", 0, MacsBudget: 0.7), new ResourceTier("params", 0, ParamsBudget: 0.5) };
        var options = Options(architecture == "mlp" ? TinyMlp : TinyCnn, [.. tiers, .. tiers]) with { Fraction = 0.6 };
        foreach (IStrategy strategy in new IStrategy[] { new HeteroFlStrategy(options), new FedRolexStrategy(options), new FedHmStrategy(options) })
            for (int round = 0; round < 5; round++)
            {
                var instructions = strategy.ConfigureTrain(round, strategy.SampleClients(round, options.Clients.Clients));
                foreach (var i in instructions)
                {
                    Assert.True(options.Clients.Affords(i.ClientId, i.Spec, costs), $"{strategy.Name} round {round} client {i.ClientId}: {i.Spec}");
                    // What travels is exactly the instructed model's state.
                    Assert.Equal(costs.Of(i.Spec).PayloadBytes, i.Parameters.Bytes);
                }
                DisposeAll(instructions);
            }
    }

    [Fact]
    public void A_half_rate_client_gets_the_first_half_of_every_hidden_layer()
    {
        var strategy = new HeteroFlStrategy(Options(TinyMlp, Full, HalfWidth));
        SetGlobalToRowMajorCounts(strategy);
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        var whole = instructions[0].Parameters;
        var half = instructions[1].Parameters;

        // Global fc1.weight is [[0,1,2],[3,4,5],[6,7,8],[9,10,11]]: the client holds rows 0-1 with all 3 inputs.
        Assert.Equal([0f, 1, 2, 3, 4, 5], Values(half["fc1.weight"]));
        Assert.Equal([0f, 1], Values(half["fc1.bias"]));
        // fc2.weight [[0,1,2,3],[4,5,6,7]]: output 0, inputs 0-1.
        Assert.Equal([0f, 1], Values(half["fc2.weight"]));
        Assert.Equal([0f], Values(half["fc2.bias"]));
        // fc3.weight [[0,1],[2,3]]: both classes, input 0; its bias whole.
        Assert.Equal([0f, 2], Values(half["fc3.weight"]));
        Assert.Equal([0f, 1], Values(half["fc3.bias"]));
        Assert.Equal(0.5, instructions[1].Spec.SubModelRate);
        Assert.True(instructions[1].Spec.ScaleActivations);
        // The full-rate client gets the whole model.
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), Values(whole["fc1.weight"]));
        DisposeAll(instructions);
    }

    [Fact]
    public void Each_element_becomes_the_weighted_average_over_the_clients_that_hold_it()
    {
        var strategy = new HeteroFlStrategy(Options(TinyMlp, Full, HalfWidth));
        SetGlobalToRowMajorCounts(strategy);
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        using var a = ConstantReply(0, instructions[0].Parameters, 1f, examples: 1);
        using var b = ConstantReply(1, instructions[1].Parameters, 5f, examples: 3);

        strategy.AggregateTrain(0, [a, b], []);

        // Held by both: (1 x 1 + 5 x 3) / 4 = 4; held by the full client alone: 1.
        var g = strategy.GlobalParameters;
        Assert.Equal([4f, 4, 4, 4, 4, 4, 1, 1, 1, 1, 1, 1], Values(g["fc1.weight"]));
        Assert.Equal([4f, 4, 1, 1], Values(g["fc1.bias"]));
        Assert.Equal([4f, 4, 1, 1, 1, 1, 1, 1], Values(g["fc2.weight"]));
        Assert.Equal([4f, 1], Values(g["fc2.bias"]));
        Assert.Equal([4f, 1, 4, 1], Values(g["fc3.weight"]));
        Assert.Equal([4f, 4], Values(g["fc3.bias"]));
        DisposeAll(instructions);
    }

    [Fact]
    public void Elements_no_client_held_keep_their_value()
    {
        var strategy = new HeteroFlStrategy(Options(TinyMlp, HalfWidth, QuarterWidth));
        SetGlobalToRowMajorCounts(strategy);
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        using var half = ConstantReply(0, instructions[0].Parameters, 5f, examples: 1);
        using var quarter = ConstantReply(1, instructions[1].Parameters, 9f, examples: 1);

        strategy.AggregateTrain(0, [half, quarter], []);

        var g = strategy.GlobalParameters;
        // fc1 row 0: both (7); row 1: the half-rate client (5); rows 2-3: nobody, still 6..11.
        Assert.Equal([7f, 7, 7, 5, 5, 5, 6, 7, 8, 9, 10, 11], Values(g["fc1.weight"]));
        Assert.Equal([7f, 5, 2, 3], Values(g["fc1.bias"]));
        // fc2: output 0 held by both, but input 1 only by the half-rate client; output 1 by nobody.
        Assert.Equal([7f, 5, 2, 3, 4, 5, 6, 7], Values(g["fc2.weight"]));
        Assert.Equal([7f, 1], Values(g["fc2.bias"]));
        Assert.Equal([7f, 1, 7, 3], Values(g["fc3.weight"]));
        Assert.Equal([7f, 7], Values(g["fc3.bias"]));
        DisposeAll(instructions);
    }

    [Fact]
    public void Weighting_by_clients_counts_each_holder_once_as_the_reference_code_does()
    {
        var strategy = new HeteroFlStrategy(Options(TinyMlp, Full, HalfWidth), new BaselineOptions { Weighting = ReplyWeighting.Clients });
        var instructions = strategy.ConfigureTrain(0, [0, 1]);
        using var a = ConstantReply(0, instructions[0].Parameters, 1f, examples: 1);
        using var b = ConstantReply(1, instructions[1].Parameters, 5f, examples: 3);
        strategy.AggregateTrain(0, [a, b], []);
        Assert.Equal([3f, 3, 1, 1], Values(strategy.GlobalParameters["fc1.bias"])); // (1 + 5) / 2
        DisposeAll(instructions);
    }

    [Fact]
    public void A_bad_rate_grid_is_refused_naming_the_key()
    {
        Assert.Contains("baselines.rates", Assert.Throws<ArgumentException>(() => new HeteroFlStrategy(Options(TinyMlp, Full), new BaselineOptions { Rates = [1, 2] })).Message);
        Assert.Contains("baselines.rates", Assert.Throws<ArgumentException>(() => new HeteroFlStrategy(Options(TinyMlp, Full), new BaselineOptions { Rates = [] })).Message);
        Assert.Contains("affords any", Assert.Throws<InvalidOperationException>(() => new HeteroFlStrategy(Options(TinyMlp, Starved))).Message);
    }
}
