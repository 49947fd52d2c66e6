using FedLmt.Federated;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;

namespace FedLmt.Core.Tests.Federated;

public class FedAvgStrategyTests
{
    // Clients 0, 2, 4, ... strong; 1, 3, 5, ... weak (half the full model's MACs and params).
    static ClientPopulation Alternating(int n) => new(Enumerable.Range(0, n).Select(i => i % 2 == 0 ? Strong : Weak).ToList());

    [Fact]
    public void Failed_clients_are_skipped_and_the_weights_of_the_others_renormalize()
    {
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(3)), FedAvgMode.EveryClient);
        var instructions = strategy.ConfigureTrain(0, [0, 1, 2]);
        var like = instructions[0].Parameters;
        using var a = ConstantReply(0, like, 1f, examples: 1);
        using var c = ConstantReply(2, like, 4f, examples: 3);

        var metrics = strategy.AggregateTrain(0, [a, c], [new ClientFailure(1, "timeout")]);

        // (1 x 1 + 4 x 3) / (1 + 3) = 3.25 in every entry; client 1's share is simply gone.
        Assert.All(strategy.GlobalParameters.Values, t => Assert.All(Values(t), v => Assert.Equal(3.25f, v)));
        Assert.Equal(2, metrics[MetricNames.Replies]);
        Assert.Equal(1, metrics[MetricNames.Failures]);
        Assert.Equal(4, metrics[MetricNames.NumExamples]);
        Assert.Equal(3.25, metrics[MetricNames.TrainLoss], 12); // the constant replies report their value as loss
        Assert.Equal(1, strategy.CompletedRounds);
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void A_round_where_every_client_failed_leaves_the_global_model_unchanged()
    {
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(2)), FedAvgMode.EveryClient);
        using var before = strategy.GlobalParameters.Clone();
        strategy.AggregateTrain(0, [], [new ClientFailure(0, "x"), new ClientFailure(1, "y")]);
        Assert.True(Identical(before, strategy.GlobalParameters));
    }

    [Fact]
    public void A_client_that_vanishes_mid_round_is_reported_and_the_rest_are_aggregated()
    {
        var data = SyntheticProblem.Clients(3);
        IClientData DataOf(int c) => c == 1 ? new VanishingClientData(500) : data[c];
        var options = Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(3));
        var strategy = new FedAvgStrategy(options, FedAvgMode.EveryClient);
        var expected = new FedAvgStrategy(options, FedAvgMode.EveryClient);

        var summary = new FederatedServer(strategy, new InProcessGrid(DataOf)).RunTrainRound(0);

        var failure = Assert.Single(summary.Failures);
        Assert.Equal(1, failure.ClientId);
        Assert.Contains("connection lost", failure.Reason);
        // The same round with only clients 0 and 2 sampled must give the same model.
        var instructions = expected.ConfigureTrain(0, [0, 2]);
        using var result = new InProcessGrid(DataOf).Train(instructions);
        expected.AggregateTrain(0, result.Replies, []);
        Assert.True(Identical(expected.GlobalParameters, strategy.GlobalParameters));
    }

    [Fact]
    public void Excluded_mode_never_samples_a_client_that_cannot_afford_the_full_model()
    {
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), Alternating(20), fraction: 0.5), FedAvgMode.ExcludeUnaffordable);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2 * i), strategy.EligibleClients);
        var seen = new HashSet<int>();
        for (int round = 0; round < 200; round++)
        {
            var sampled = strategy.SampleClients(round, Enumerable.Range(0, 20).ToList());
            Assert.Equal(5, sampled.Count); // half of the 10 eligible
            Assert.All(sampled, c => Assert.True(c % 2 == 0, $"round {round} sampled weak client {c}"));
            seen.UnionWith(sampled);
        }
        Assert.Equal(10, seen.Count);
    }

    [Fact]
    public void Every_client_mode_is_the_upper_bound_where_all_clients_train_the_full_model()
    {
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), Alternating(6)), FedAvgMode.EveryClient);
        Assert.Equal([0, 1, 2, 3, 4, 5], strategy.SampleClients(0, [0, 1, 2, 3, 4, 5]));
        var instructions = strategy.ConfigureTrain(0, [1, 3]);
        Assert.All(instructions, i => Assert.Null(i.Spec.Ratio));
        foreach (var i in instructions) i.Dispose();
    }

    [Fact]
    public void Configuring_an_unaffordable_client_throws_naming_the_client_and_its_tier()
    {
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), Alternating(4)), FedAvgMode.ExcludeUnaffordable);
        var e = Assert.Throws<InvalidOperationException>(() => strategy.ConfigureTrain(0, [0, 3]));
        Assert.Contains("client 3", e.Message);
        Assert.Contains("'weak'", e.Message);
    }

    [Fact]
    public void A_population_where_nobody_affords_the_model_is_refused()
    {
        var weakOnly = new ClientPopulation([Weak, Weak]);
        Assert.Throws<InvalidOperationException>(() => new FedAvgStrategy(Options(SyntheticProblem.Mlp(), weakOnly), FedAvgMode.ExcludeUnaffordable));
    }

    [Fact]
    public void Instructions_carry_the_global_model_the_rounds_learning_rate_and_the_local_settings()
    {
        var options = Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(4), lr: 0.1, rounds: 10);
        var strategy = new FedAvgStrategy(options, FedAvgMode.EveryClient);
        var instructions = strategy.ConfigureTrain(5, [2]);
        var i = Assert.Single(instructions);
        Assert.Equal((2, 5), (i.ClientId, i.Round));
        Assert.Equal(0.01 + 0.09 * (1 + Math.Cos(Math.PI * 5 / 10)) / 2, i.LearningRate, 12);
        Assert.Equal(options.Local, i.Local);
        Assert.Equal(options.Seed, i.RunSeed);
        Assert.Equal(TrainPhase.AllAtOnce, i.Phases);
        Assert.False(i.Parameters.OwnsTensors); // a view: disposing it must not free the global model
        Assert.True(Identical(strategy.GlobalParameters, i.Parameters));
        i.Dispose();
        Assert.True(Identical(strategy.GlobalParameters, strategy.GlobalParameters.Clone()));
    }
}
