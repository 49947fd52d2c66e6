using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// The client side of a round: builds the model of the instruction's spec, loads the parameters, trains E local epochs
/// of SGD phase by phase (frozen groups get no gradient and no optimizer), and returns owned copies of every state entry
/// with its example count and metrics. Stateless between calls, so one instance serves any number of threads.
/// </summary>
public sealed class ClientTrainer
{
    readonly ModelCostCatalog _costs;
    readonly ITask _task;

    /// <summary>A trainer for <paramref name="task"/> (default: <see cref="Classification"/>).</summary>
    public ClientTrainer(ITask? task = null, ModelCostCatalog? costs = null)
    {
        _task = task ?? Classification.Instance;
        _costs = costs ?? ModelCostCatalog.Shared;
    }

    /// <summary>The task the trainer scores batches with.</summary>
    public ITask Task => _task;

    /// <summary>The seed of a client's batch order in one epoch: a pure function of (run seed, round, client, epoch).</summary>
    public static long ShuffleSeed(long runSeed, int round, int clientId, int epoch) =>
        SplitMix64.Derive(runSeed, SeedStreams.Shuffle, round, clientId, epoch);

    /// <summary>Runs the instruction's local training on <paramref name="data"/>.</summary>
    public TrainReply Train(TrainInstruction instruction, IClientData data)
    {
        var local = instruction.Local.Validate();
        if (!(instruction.LearningRate >= 0) || double.IsInfinity(instruction.LearningRate))
            throw new ArgumentException($"learning rate {instruction.LearningRate} is not a finite number >= 0");
        using var model = ModelFactory.Load(instruction.Spec, instruction.Parameters);
        model.train();
        model.SeedRandomness(SplitMix64.Derive(instruction.RunSeed, SeedStreams.Dropout, instruction.Round, instruction.ClientId));

        long stepsPerEpoch = (data.TrainCount + local.BatchSize - 1) / local.BatchSize;
        long[] phaseEnds = TrainPhase.Boundaries(instruction.Phases, local.Epochs * stepsPerEpoch);
        var parameters = model.named_parameters().ToList();

        int phase = -1;
        SGD? optimizer = null;
        long step = 0, seen = 0;
        var score = default(BatchScore);
        try
        {
            for (int epoch = 0; epoch < local.Epochs; epoch++)
            {
                long seed = ShuffleSeed(instruction.RunSeed, instruction.Round, instruction.ClientId, epoch);
                foreach (var (x, y) in data.TrainBatches(local.BatchSize, seed))
                {
                    using var scope = torch.NewDisposeScope();
                    scope.Attach(x);
                    scope.Attach(y);
                    int current = PhaseAt(phaseEnds, step);
                    if (current != phase)
                    {
                        optimizer?.Dispose();
                        optimizer = StartPhase(model, parameters, instruction.Phases[current].Group, instruction.LearningRate, local);
                        phase = current;
                    }
                    score += Step(model, optimizer, x, y, local);
                    seen += y.shape[0];
                    step++;
                }
            }
        }
        finally
        {
            optimizer?.Dispose();
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.TrainLoss] = score.MeanLoss,
            [MetricNames.TrainAccuracy] = score.Accuracy,
            [MetricNames.Macs] = TrainingMacs(_costs, instruction.Spec, seen),
            [MetricNames.Steps] = step,
            [MetricNames.SamplesProcessed] = seen,
        };
        return new TrainReply(instruction.ClientId, NamedTensors.Snapshot(model), data.TrainCount, metrics);
    }

    /// <summary>
    /// The work metrics of an instruction over <paramref name="trainCount"/> samples, as <see cref="Train"/> reports them:
    /// steps (ceil(count / batch) per epoch), samples processed (count x epochs) and MACs (forward MACs per sample x 3 x
    /// samples). A server computes them itself rather than trusting a device's report.
    /// </summary>
    public static IReadOnlyDictionary<string, double> WorkOf(TrainInstruction instruction, long trainCount, ModelCostCatalog? costs = null)
    {
        long samples = trainCount * instruction.Local.Epochs;
        long steps = (trainCount + instruction.Local.BatchSize - 1) / instruction.Local.BatchSize * instruction.Local.Epochs;
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.Macs] = TrainingMacs(costs ?? ModelCostCatalog.Shared, instruction.Spec, samples),
            [MetricNames.Steps] = steps,
            [MetricNames.SamplesProcessed] = samples,
        };
    }

    /// <summary>Multiply-accumulates of training on <paramref name="samples"/> samples: forward MACs x 3 (forward and backward).</summary>
    static long TrainingMacs(ModelCostCatalog costs, ModelSpec spec, long samples) => costs.Of(spec).MacsPerSample * 3 * samples;

    /// <summary>Evaluates the instruction's model on the client's test split.</summary>
    public EvaluateReply Evaluate(EvaluateInstruction instruction, IClientData data)
    {
        using var model = ModelFactory.Load(instruction.Spec, instruction.Parameters);
        var result = ModelEvaluator.Evaluate(model, data.TestBatches(instruction.BatchSize), _task);
        return new EvaluateReply(instruction.ClientId, result.Count, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [MetricNames.TestLoss] = result.Loss,
            [MetricNames.TestAccuracy] = result.Accuracy,
        });
    }

    static int PhaseAt(long[] ends, long step)
    {
        for (int i = 0; i < ends.Length; i++) if (step < ends[i]) return i;
        return ends.Length - 1; // the data yielded more batches than TrainCount promised: stay in the last phase
    }

    /// <summary>Unfreezes the phase's group, freezes the rest, and gives the unfrozen parameters a fresh optimizer (null if none).</summary>
    static SGD? StartPhase(HybridModel model, List<(string Name, Parameter Param)> parameters, ParameterGroup group, double lr, LocalTrainingConfig local)
    {
        var trainable = new List<Parameter>();
        foreach (var (name, p) in parameters)
        {
            bool on = group switch
            {
                ParameterGroup.All => true,
                ParameterGroup.Common => model.IsCommon(name),
                ParameterGroup.Custom => !model.IsCommon(name),
                _ => throw new ArgumentOutOfRangeException(nameof(group), group, "unknown parameter group"),
            };
            p.requires_grad = on;
            if (on) trainable.Add(p);
        }
        return trainable.Count == 0 ? null : torch.optim.SGD(trainable, lr, local.Momentum, 0, local.WeightDecay, false, false);
    }

    /// <summary>One SGD step (or only the forward pass when nothing trains); returns the batch's mean loss and hits.</summary>
    /// <summary>One SGD step on a batch (a frozen phase only scores it); the batch's score by the output it trained from.</summary>
    BatchScore Step(HybridModel model, SGD? optimizer, Tensor x, Tensor y, LocalTrainingConfig local)
    {
        if (optimizer is null)
        {
            using var noGrad = torch.no_grad();
            var frozen = model.call(x);
            return _task.Tally(_task.Loss(frozen, y), frozen, y);
        }
        optimizer.zero_grad();
        var output = model.call(x);
        var loss = _task.Loss(output, y);
        var penalty = FactorPenalty.Compute(model, local.Penalty, local.PenaltyLambda);
        var objective = penalty is null ? loss : loss + penalty;
        objective.backward();
        optimizer.step();
        return _task.Tally(loss, output, y);
    }
}
