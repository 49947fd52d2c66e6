using FedLmt.Federated;
using FedLmt.Models;

namespace FedLmt.Grpc.Tests;

public class ConnectedClientsStrategyTests
{
    static StrategyOptions Options(int clients = 10) => new()
    {
        Model = new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 8, Width = 8, WidthMultiplier = 0.1 },
        Clients = ClientPopulation.Unconstrained(clients),
        Fraction = 0.3,
        LearningRate = new CosineSchedule(0.1, 0.001, 10, 0),
        Seed = 5,
    };

    [Fact]
    public void With_every_client_connected_each_round_samples_what_the_simulation_samples()
    {
        var options = Options();
        var inner = new FedAvgStrategy(options, FedAvgMode.EveryClient);
        var connected = new ConnectedClientsStrategy(inner, options, () => Enumerable.Range(0, 10).ToList(), minReplies: 1);
        for (int round = 0; round < 20; round++) Assert.Equal(inner.SampleClients(round), connected.SampleClients(round));
    }

    [Fact]
    public void Only_connected_clients_are_sampled()
    {
        var options = Options();
        var present = new[] { 1, 4, 6, 9 };
        var connected = new ConnectedClientsStrategy(new FedAvgStrategy(options, FedAvgMode.EveryClient), options, () => present, minReplies: 1);
        for (int round = 0; round < 20; round++)
        {
            var sample = connected.SampleClients(round);
            Assert.Single(sample); // round(0.3 x 4) = 1
            Assert.Contains(sample[0], present);
        }
    }

    [Fact]
    public void A_round_with_fewer_replies_than_the_minimum_leaves_the_model_alone()
    {
        var options = Options();
        var inner = new FedAvgStrategy(options, FedAvgMode.EveryClient);
        var connected = new ConnectedClientsStrategy(inner, options, () => [0, 1, 2], minReplies: 2);
        var instructions = connected.ConfigureTrain(0, [0, 1]);
        var before = inner.GlobalParameters.Clone();
        try
        {
            using var reply = new TrainReply(0, instructions[0].Parameters.Clone(), 10, new Dictionary<string, double>());
            var metrics = connected.AggregateTrain(0, [reply], [new ClientFailure(1, "gone")]);
            Assert.Equal(0, metrics[ConnectedClientsStrategy.Aggregated]);
            Assert.Equal(0, connected.CompletedRounds);
            foreach (var name in before.Names) Assert.True(before[name].equal(inner.GlobalParameters[name]).all().item<bool>());
            metrics = connected.AggregateTrain(0, [reply, reply], []);
            Assert.Equal(1, metrics[ConnectedClientsStrategy.Aggregated]);
            Assert.Equal(1, connected.CompletedRounds);
        }
        finally
        {
            before.Dispose();
            foreach (var i in instructions) i.Dispose();
        }
    }
}
