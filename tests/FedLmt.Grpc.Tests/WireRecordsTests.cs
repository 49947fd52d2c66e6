using FedLmt.Federated;
using FedLmt.Layers;
using FedLmt.Models;

namespace FedLmt.Grpc.Tests;

public class WireRecordsTests
{
    [Fact]
    public void Every_field_of_a_model_spec_survives_the_wire()
    {
        var spec = new ModelSpec
        {
            Architecture = "resnet18", InChannels = 1, Height = 28, Width = 30, NumClasses = 7, WidthMultiplier = 0.5, Ratio = 0.2,
            DecomposeFrom = new HybridStart(2, 1), TrackRunningStats = true, Init = FactorInit.Direct, SubModelRate = 0.25, ScaleActivations = true,
        };
        Assert.Equal(spec, WireRecords.FromWire(WireRecords.ToWire(spec)));
        var full = new ModelSpec();
        Assert.Equal(full, WireRecords.FromWire(WireRecords.ToWire(full)));
    }

    [Fact]
    public void Local_training_and_phases_survive_the_wire()
    {
        var local = new LocalTrainingConfig { Epochs = 3, BatchSize = 17, Momentum = 0.5, WeightDecay = 1e-3, Penalty = PenaltyKind.Kronecker, PenaltyLambda = 0.01 };
        Assert.Equal(local, WireRecords.FromWire(WireRecords.ToWire(local)));
        Assert.Equal(TrainPhase.CustomThenCommon, TrainPhase.CustomThenCommon.Select(p => WireRecords.FromWire(WireRecords.ToWire(p))).ToList());
    }
}
