using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Layers;
using FedLmt.Models;

namespace FedLmt.Grpc;

/// <summary>The typed records of the protocol to and from the engine's records (model spec, local training, phases).</summary>
public static class WireRecords
{
    public static ModelSpecRecord ToWire(ModelSpec spec)
    {
        var record = new ModelSpecRecord
        {
            Architecture = spec.Architecture,
            InChannels = spec.InChannels,
            Height = spec.Height,
            Width = spec.Width,
            NumClasses = spec.NumClasses,
            WidthMultiplier = spec.WidthMultiplier,
            DecomposeStage = spec.DecomposeFrom.Stage,
            DecomposeBlock = spec.DecomposeFrom.Block,
            TrackRunningStats = spec.TrackRunningStats,
            Init = FactorInits.Name(spec.Init),
            SequenceLength = spec.SequenceLength,
        };
        if (spec.Ratio is double r) record.Ratio = r;
        if (spec.SubModelRate is double w) record.SubModelRate = w;
        record.ScaleActivations = spec.ScaleActivations;
        // A field added to ModelSpec but not to the protocol would silently build another model on the client.
        if (FromWire(record) != spec)
            throw new NotSupportedException($"model spec {spec} does not survive the wire: ModelSpec has a field ModelSpecRecord lacks (Proto/fedlmt.proto)");
        return record;
    }

    public static ModelSpec FromWire(ModelSpecRecord r) => new ModelSpec
    {
        Architecture = r.Architecture,
        InChannels = r.InChannels,
        Height = r.Height,
        Width = r.Width,
        NumClasses = r.NumClasses,
        WidthMultiplier = r.WidthMultiplier,
        Ratio = r.HasRatio ? r.Ratio : null,
        DecomposeFrom = new HybridStart(r.DecomposeStage, r.DecomposeBlock),
        TrackRunningStats = r.TrackRunningStats,
        Init = r.Init == "" ? FactorInit.Spectral : FactorInits.Parse(r.Init),
        SubModelRate = r.HasSubModelRate ? r.SubModelRate : null,
        ScaleActivations = r.ScaleActivations,
        SequenceLength = r.SequenceLength == 0 ? new ModelSpec().SequenceLength : r.SequenceLength,
    };

    public static LocalTrainingRecord ToWire(LocalTrainingConfig c) => new()
    {
        Epochs = c.Epochs,
        BatchSize = c.BatchSize,
        Momentum = c.Momentum,
        WeightDecay = c.WeightDecay,
        Penalty = c.Penalty.ToString(),
        PenaltyLambda = c.PenaltyLambda,
    };

    public static LocalTrainingConfig FromWire(LocalTrainingRecord r) => new LocalTrainingConfig
    {
        Epochs = r.Epochs,
        BatchSize = r.BatchSize,
        Momentum = r.Momentum,
        WeightDecay = r.WeightDecay,
        Penalty = Enum.TryParse<PenaltyKind>(r.Penalty, out var p) ? p : throw new InvalidDataException($"unknown penalty '{r.Penalty}'"),
        PenaltyLambda = r.PenaltyLambda,
    }.Validate();

    public static PhaseRecord ToWire(TrainPhase p) => new() { Group = p.Group.ToString(), Share = p.Share };

    public static TrainPhase FromWire(PhaseRecord r) =>
        new(Enum.TryParse<ParameterGroup>(r.Group, out var g) ? g : throw new InvalidDataException($"unknown parameter group '{r.Group}'"), r.Share);

    /// <summary>The header of a training task (its tensors are sent apart, as chunks).</summary>
    public static TaskHeader TrainTask(long taskId, TrainInstruction i, IEnumerable<TensorHeader> tensors)
    {
        var train = new TrainConfig { LearningRate = i.LearningRate, Local = ToWire(i.Local), RunSeed = i.RunSeed };
        train.Phases.AddRange(i.Phases.Select(ToWire));
        var header = new TaskHeader { TaskId = taskId, Round = i.Round, ClientId = i.ClientId, Model = ToWire(i.Spec), Train = train };
        header.Tensors.AddRange(tensors);
        return header;
    }

    /// <summary>The header of an evaluation task.</summary>
    public static TaskHeader EvaluateTask(long taskId, EvaluateInstruction i, IEnumerable<TensorHeader> tensors)
    {
        var header = new TaskHeader
        {
            TaskId = taskId, Round = i.Round, ClientId = i.ClientId, Model = ToWire(i.Spec),
            Evaluate = new EvaluateConfig { BatchSize = i.BatchSize },
        };
        header.Tensors.AddRange(tensors);
        return header;
    }

    /// <summary>The training instruction a task header and its tensors describe (takes ownership of the tensors).</summary>
    public static TrainInstruction ToTrainInstruction(TaskHeader h, NamedTensors parameters) =>
        new(h.Round, h.ClientId, FromWire(h.Model), parameters, h.Train.LearningRate, FromWire(h.Train.Local),
            h.Train.Phases.Select(FromWire).ToList(), h.Train.RunSeed);

    public static EvaluateInstruction ToEvaluateInstruction(TaskHeader h, NamedTensors parameters) =>
        new(h.Round, h.ClientId, FromWire(h.Model), parameters, h.Evaluate.BatchSize);
}
