using FedLmt.Federated;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;

namespace FedLmt.Core.Tests.Federated;

/// <summary>A round among the available clients, and a round with too few replies (what a deployment's transport asks for).</summary>
public class FederatedServerTests
{
    static StrategyOptions TenClients() => Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(10)) with { Fraction = 0.3, Seed = 5 };

    [Fact]
    public void With_every_client_available_a_round_samples_the_samplers_own_draw_over_all_clients()
    {
        var strategy = new FedAvgStrategy(TenClients(), FedAvgMode.EveryClient);
        var sampler = new ClientSampler(0.3, 5);
        for (int round = 0; round < 20; round++)
            Assert.Equal(sampler.Sample(round, Enumerable.Range(0, 10).ToList()), strategy.SampleClients(round, Enumerable.Range(0, 10).ToList()));
    }

    [Fact]
    public void Only_available_clients_are_sampled_and_the_draw_is_the_samplers_over_them()
    {
        var strategy = new FedAvgStrategy(TenClients(), FedAvgMode.EveryClient);
        int[] present = [9, 1, 6, 4];
        for (int round = 0; round < 20; round++)
        {
            var sample = strategy.SampleClients(round, present);
            Assert.Single(sample); // round(0.3 x 4) = 1
            Assert.Equal(new ClientSampler(0.3, 5).Sample(round, present), sample);
        }
    }

    [Fact]
    public void A_round_with_fewer_replies_than_needed_leaves_the_strategy_untouched_and_says_so()
    {
        var data = SyntheticProblem.Clients(3);
        IClientData DataOf(int c) => c == 1 ? throw new IOException("device gone") : data[c];
        var strategy = new FedAvgStrategy(Options(SyntheticProblem.Mlp(), ClientPopulation.Unconstrained(3)), FedAvgMode.EveryClient);
        using var before = strategy.GlobalParameters.Clone();
        var server = new FederatedServer(strategy, new InProcessGrid(DataOf));

        var refused = server.RunTrainRound(0, [0, 1, 2], minReplies: 3);
        Assert.False(refused.Aggregated);
        Assert.Equal(2, refused.Replies);
        Assert.Equal(1, Assert.Single(refused.Failures).ClientId);
        Assert.Equal(0, strategy.CompletedRounds);
        Assert.True(Identical(before, strategy.GlobalParameters));

        var accepted = server.RunTrainRound(0, [0, 1, 2], minReplies: 2);
        Assert.True(accepted.Aggregated);
        Assert.Equal(1, strategy.CompletedRounds);
        Assert.Equal(2, accepted.Metrics[MetricNames.Replies]);
        Assert.False(Identical(before, strategy.GlobalParameters));
    }
}
