using FedLmt.Federated;
using FedLmt.Models;
using FedLmt.Reporting;
using FedLmt.Runs;
using static TorchSharp.torch;

namespace FedLmt.Grpc.Tests;

/// <summary>
/// A new algorithm is one strategy class and one registry entry, and it runs simulated and deployed alike: a toy
/// strategy written against <see cref="IStrategy"/> alone (no FedAvg underneath) that averages without weights and
/// never lets its last client train.
/// </summary>
public class ToyStrategyTests
{
    const string Name = "toy-unweighted";

    static ToyStrategyTests()
    {
        if (!Algorithms.Contains(Name))
            Algorithms.Register(new Algorithm(Name, "unweighted mean; the last client only evaluates", c => new UnweightedMean(c.Options), InComparison: false));
    }

    const string Config = """
        name: toy
        seed: 4
        algorithm: toy-unweighted
        model: { architecture: mlp, width_multiplier: 0.25 }
        federated: { num_clients: 3, fraction: 1.0, rounds: 3 }
        tiers: []
        lr: { initial: 0.05, final: 0.001 }
        local: { batch_size: 64 }
        evaluation: { every: 1 }
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_registered_toy_strategy_runs_deployed_and_matches_its_simulation()
    {
        using var dir = new TempDirectory();
        var config = ConfigLoader.Parse(Config);
        Assert.DoesNotContain(Name, Algorithms.DefaultArms);

        string simulated = Path.Combine(dir.Path, "simulated");
        var simulation = new SimulationRunner(config, simulated).Run();

        // Compared next to FedAvg by the same runner `fedlmt compare` uses: its arm is its simulation.
        var comparison = new ComparisonRunner(config, Path.Combine(dir.Path, "compare"), [Name, "fedavg-all"]).Run();
        var arm = comparison.Arms.Single(a => a.Arm == Name);
        Assert.Equal(ArmStatus.Ran, arm.Status);
        Assert.Equal(simulation.FinalClientMeanAccuracy, arm.Summary!.FinalClientMeanAccuracy);
        Assert.Equal(ArmStatus.Ran, comparison.Arms.Single(a => a.Arm == "fedavg-all").Status);

        var runner = new DeploymentRunner(config, Path.Combine(dir.Path, "deployed"),
            new DeploymentOptions { MinReplies = 2, RoundTimeout = TimeSpan.FromSeconds(60) });
        var (host, connection) = await InProcessDeployment.StartAsync(runner, dir.Path, clients: 3);
        await using var _ = host;
        var run = Task.Factory.StartNew(() => runner.Run(), TaskCreationOptions.LongRunning);
        var clients = Enumerable.Range(0, 3).Select(id => new FederatedClient(id, runner.Setup.Population.TierOf(id).Name, runner.Setup.Clients[id],
            connection, new CustomParameterStore(Path.Combine(dir.Path, $"client-{id}"), id)).RunAsync()).ToList();
        var deployed = await run.WaitAsync(TimeSpan.FromSeconds(180));
        foreach (var c in clients) Assert.Equal(ClientExit.Finished, await c.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(Name, deployed.Algorithm);
        Assert.Equal("unweighted mean of mlp", deployed.Model);
        Assert.Equal(simulation.Model, deployed.Model);
        var records = JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(dir.Path, "deployed", "results.jsonl"), RunRecorder.Json).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(2, r.Sampled)); // client 2 was connected every round, and never trained
        using var a = CheckpointStore.Load(Path.Combine(simulated, "checkpoint.bin"));
        using var b = CheckpointStore.Load(runner.CheckpointPath);
        Assert.Equal(a.Global.Names, b.Global.Names);
        foreach (var name in a.Global.Names)
        {
            double diff = (a.Global[name] - b.Global[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"'{name}' differs by {diff}");
        }
        Assert.Equal(simulation.FinalClientMeanAccuracy!.Value, deployed.FinalClientMeanAccuracy!.Value, 5);
    }

    /// <summary>Every available client but the last trains the global model each round; the server takes the plain mean of the replies.</summary>
    sealed class UnweightedMean : IStrategy
    {
        readonly StrategyOptions _options;
        NamedTensors _global;

        public UnweightedMean(StrategyOptions options)
        {
            _options = options;
            using var model = ModelFactory.Create(options.Model, seed: options.Seed);
            _global = NamedTensors.Snapshot(model);
            EligibleClients = Enumerable.Range(0, options.Clients.Count - 1).ToList();
        }

        public string Name => ToyStrategyTests.Name;
        public string Description => $"unweighted mean of {_options.Model.Architecture}";
        public int CompletedRounds { get; private set; }
        public IReadOnlyList<int> EligibleClients { get; }

        public IReadOnlyList<int> SampleClients(int round, IReadOnlyCollection<int> available) => EligibleClients.Where(available.Contains).ToList();
        public ModelSpec ModelFor(int clientId) => _options.Model;
        public bool ClientOwns(string tensorName) => false;

        public IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients) =>
            clients.Select(c => new TrainInstruction(round, c, _options.Model, _global.View(), _options.LearningRate.At(round), _options.Local,
                TrainPhase.AllAtOnce, _options.Seed)).ToList();

        public IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
        {
            if (replies.Count > 0)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                foreach (var name in _global.Names)
                    _global[name].copy_(replies.Select(r => r.Parameters[name].to_type(ScalarType.Float64)).Aggregate((x, y) => x + y) / replies.Count);
            }
            CompletedRounds = round + 1;
            return TrainRoundMetrics.Of(replies, failures);
        }

        public IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients) =>
            clients.Select(c => new EvaluateInstruction(round, c, _options.Model, _global.View(), _options.EvalBatchSize)).ToList();

        public EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures) =>
            EvaluationSummary.From(round, replies, failures);

        public HybridModel? CreateGlobalModel() => ModelFactory.Load(_options.Model, _global);

        public ServerState ExportState() => new(Name, CompletedRounds, _global.Clone(), new Dictionary<int, NamedTensors>(),
            new Dictionary<string, NamedTensors>(), new Dictionary<string, double>());

        public void ImportState(ServerState state)
        {
            _global.Dispose();
            _global = state.Global.Clone();
            CompletedRounds = state.CompletedRounds;
        }
    }
}
