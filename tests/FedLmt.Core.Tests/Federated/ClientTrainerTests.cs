using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

public class ClientTrainerTests
{
    /// <summary>fc1 stays full rank (common); fc2 is factorized and, with the head, custom.</summary>
    static readonly ModelSpec Hybrid = SyntheticProblem.Mlp(0.5) with { DecomposeFrom = new HybridStart(1, 0) };

    static TrainInstruction Instruction(NamedTensors parameters, ModelSpec spec, IReadOnlyList<TrainPhase> phases, LocalTrainingConfig? local = null,
        double lr = 0.1, int round = 3, int client = 2) =>
        new(round, client, spec, parameters, lr, local ?? new LocalTrainingConfig { Epochs = 1, BatchSize = 16 }, phases, RunSeed: 99);

    static NamedTensors Initial(ModelSpec spec)
    {
        using var model = ModelFactory.Create(spec, seed: 5);
        return NamedTensors.Snapshot(model);
    }

    /// <summary>The same data in the same order whatever the seed, so separately run phases see the same batches.</summary>
    sealed class FixedOrder(IClientData inner) : IClientData
    {
        public int TrainCount => inner.TrainCount;
        public int TestCount => inner.TestCount;
        public IEnumerable<(Tensor X, Tensor Y)> TrainBatches(int batchSize, long shuffleSeed) => inner.TrainBatches(batchSize, 0);
        public IEnumerable<(Tensor X, Tensor Y)> TestBatches(int batchSize) => inner.TestBatches(batchSize);
    }

    [Fact]
    public void A_custom_phase_changes_only_custom_parameters_and_a_common_phase_only_common_ones()
    {
        var data = SyntheticProblem.Clients(1)[0];
        using var initial = Initial(Hybrid);
        using var probe = ModelFactory.Create(Hybrid);
        var trainer = new ClientTrainer();

        using var custom = trainer.Train(Instruction(initial, Hybrid, [new TrainPhase(ParameterGroup.Custom, 1)]), data);
        using var common = trainer.Train(Instruction(initial, Hybrid, [new TrainPhase(ParameterGroup.Common, 1)]), data);

        foreach (var name in initial.Names)
        {
            bool isCommon = probe.IsCommon(name);
            Assert.Equal(isCommon, name.StartsWith("fc1."));
            Assert.Equal(isCommon, Identical(Pick(initial, name), Pick(custom.Parameters, name)));
            Assert.Equal(!isCommon, Identical(Pick(initial, name), Pick(common.Parameters, name)));
        }
    }

    [Fact]
    public void Custom_then_common_trains_custom_for_the_first_half_of_the_steps_and_common_for_the_second()
    {
        // 120 samples, batch 16: 8 steps per epoch; 2 epochs = 16 steps, so epoch 0 is the custom phase and epoch 1 the common one.
        var data = new FixedOrder(SyntheticProblem.Clients(1)[0]);
        var oneEpoch = new LocalTrainingConfig { Epochs = 1, BatchSize = 16 };
        using var initial = Initial(Hybrid);
        using var probe = ModelFactory.Create(Hybrid);
        var trainer = new ClientTrainer();

        using var both = trainer.Train(Instruction(initial, Hybrid, TrainPhase.CustomThenCommon, oneEpoch with { Epochs = 2 }), data);
        using var first = trainer.Train(Instruction(initial, Hybrid, [new TrainPhase(ParameterGroup.Custom, 1)], oneEpoch), data);
        using var second = trainer.Train(Instruction(first.Parameters, Hybrid, [new TrainPhase(ParameterGroup.Common, 1)], oneEpoch), data);

        Assert.Equal(16, both.Metrics[MetricNames.Steps]);
        Assert.True(Identical(second.Parameters, both.Parameters));
        foreach (var name in initial.Names)
            // custom entries end as the first phase left them; common entries left the first phase untouched
            Assert.True(Identical(Pick(probe.IsCommon(name) ? initial : both.Parameters, name), Pick(first.Parameters, name)), name);
    }

    [Fact]
    public void One_step_is_sgd_with_weight_decay_on_cross_entropy_plus_the_factor_penalty()
    {
        // One batch holding all 120 samples; the momentum buffer of the first step is the gradient itself.
        var data = SyntheticProblem.Clients(1)[0];
        var spec = SyntheticProblem.Mlp(0.25);
        var local = new LocalTrainingConfig { Epochs = 1, BatchSize = 1000, Momentum = 0.9, WeightDecay = 0.01, Penalty = PenaltyKind.Frobenius, PenaltyLambda = 0.05 };
        using var initial = Initial(spec);
        using var reply = new ClientTrainer().Train(Instruction(initial, spec, TrainPhase.AllAtOnce, local, lr: 0.3), data);

        using var model = ModelFactory.Load(spec, initial);
        var (x, y) = data.TrainBatches(1000, 0).Single();
        var loss = nn.functional.cross_entropy(model.call(x), y) + FactorPenalty.Compute(model, PenaltyKind.Frobenius, 0.05)!;
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            using var expected = (p - 0.3 * (p.grad! + 0.01 * p)).detach();
            Assert.True(reply.Parameters[name].allclose(expected, rtol: 1e-5, atol: 1e-6), name);
        }
    }

    [Fact]
    public void Batch_order_comes_from_the_run_seed_round_client_and_epoch()
    {
        var data = SyntheticProblem.Clients(1)[0];
        using var initial = Initial(SyntheticProblem.Mlp());
        using var reply = new ClientTrainer().Train(
            Instruction(initial, SyntheticProblem.Mlp(), TrainPhase.AllAtOnce, new LocalTrainingConfig { Epochs = 3, BatchSize = 50 }, round: 4, client: 6), data);
        Assert.Equal([ClientTrainer.ShuffleSeed(99, 4, 6, 0), ClientTrainer.ShuffleSeed(99, 4, 6, 1), ClientTrainer.ShuffleSeed(99, 4, 6, 2)], data.SeedsSeen);
        var seeds = new[] { ClientTrainer.ShuffleSeed(99, 4, 6, 0), ClientTrainer.ShuffleSeed(98, 4, 6, 0), ClientTrainer.ShuffleSeed(99, 5, 6, 0),
            ClientTrainer.ShuffleSeed(99, 4, 7, 0), ClientTrainer.ShuffleSeed(99, 4, 6, 1) };
        Assert.Equal(seeds.Length, seeds.Distinct().Count());
    }

    [Fact]
    public void The_same_instruction_trains_to_bitwise_the_same_parameters()
    {
        var data = SyntheticProblem.Clients(1)[0];
        using var initial = Initial(Hybrid);
        var trainer = new ClientTrainer();
        using var a = trainer.Train(Instruction(initial, Hybrid, TrainPhase.AllAtOnce), data);
        using var b = trainer.Train(Instruction(initial, Hybrid, TrainPhase.AllAtOnce), data);
        Assert.True(Identical(a.Parameters, b.Parameters));
        Assert.False(Identical(initial, a.Parameters));
    }

    [Fact]
    public void Reports_examples_steps_and_macs_as_three_forward_passes_per_sample_processed()
    {
        var data = SyntheticProblem.Clients(1)[0]; // 120 samples
        var spec = SyntheticProblem.Mlp(0.25);
        using var initial = Initial(spec);
        using var reply = new ClientTrainer().Train(
            Instruction(initial, spec, TrainPhase.AllAtOnce, new LocalTrainingConfig { Epochs = 2, BatchSize = 50 }), data);

        // ratio 0.25: r1 = 8, r2 = 4, forward MACs 48 x 12 + 64 = 640 per sample.
        Assert.Equal(120, reply.NumExamples);
        Assert.Equal(6, reply.Metrics[MetricNames.Steps]); // 2 epochs x ceil(120 / 50)
        Assert.Equal(240, reply.Metrics[MetricNames.SamplesProcessed]);
        Assert.Equal(3.0 * 640 * 240, reply.Metrics[MetricNames.Macs]);
        Assert.InRange(reply.Metrics[MetricNames.TrainAccuracy], 0, 1);
        Assert.True(reply.Parameters.OwnsTensors);
    }

    [Fact]
    public void Evaluation_reports_the_loss_and_accuracy_of_the_given_model_on_the_test_split()
    {
        var data = SyntheticProblem.Clients(1)[0];
        var spec = SyntheticProblem.Mlp();
        using var initial = Initial(spec);
        var reply = new ClientTrainer().Evaluate(new EvaluateInstruction(0, 0, spec, initial, BatchSize: 7), data);

        using var model = ModelFactory.Load(spec, initial);
        var (x, y) = data.TestBatches(1000).Single();
        using var noGrad = torch.no_grad();
        var logits = model.call(x);
        Assert.Equal(60, reply.NumExamples);
        Assert.Equal(logits.argmax(1).eq(y).to(ScalarType.Float64).mean().item<double>(), reply.Metrics[MetricNames.TestAccuracy], 12);
        Assert.Equal(nn.functional.cross_entropy(logits, y).item<float>(), reply.Metrics[MetricNames.TestLoss], 5);
    }

    [Theory]
    [InlineData(16, 8, 8)]
    [InlineData(7, 4, 3)]  // odd: the first phase takes the extra step
    [InlineData(1, 1, 0)]
    public void Phase_boundaries_split_the_steps_by_share(long total, long first, long second)
    {
        var ends = TrainPhase.Boundaries(TrainPhase.CustomThenCommon, total);
        Assert.Equal(first, ends[0]);
        Assert.Equal(second, ends[1] - ends[0]);
    }

    static Dictionary<string, Tensor> Pick(IReadOnlyDictionary<string, Tensor> state, string name) => new() { [name] = state[name] };
}
