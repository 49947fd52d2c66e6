using FedLmt.Layers;

namespace FedLmt.Federated;

/// <summary>
/// How a client trains locally: E epochs of SGD with momentum and weight decay over batches of B, cross-entropy plus an
/// optional factor penalty. Defaults are the reference's CIFAR settings (E 1, B 64, momentum 0.9, weight decay 5e-4).
/// </summary>
public sealed record LocalTrainingConfig
{
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 64;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    public PenaltyKind Penalty { get; init; } = PenaltyKind.None;
    public double PenaltyLambda { get; init; }

    /// <summary>Refuses a bad value, naming the key, the value and what is allowed.</summary>
    public LocalTrainingConfig Validate()
    {
        Check.Require(Epochs >= 1, "local.epochs", Epochs, "an integer >= 1");
        Check.Require(BatchSize >= 1, "local.batch_size", BatchSize, "an integer >= 1");
        Check.Require(Momentum >= 0 && Momentum < 1, "local.momentum", Momentum, "a number in [0, 1)");
        Check.Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "local.weight_decay", WeightDecay, "a finite number >= 0");
        Check.Require(PenaltyLambda >= 0 && double.IsFinite(PenaltyLambda), "local.penalty_lambda", PenaltyLambda, "a finite number >= 0");
        Check.Require(Enum.IsDefined(Penalty), "local.penalty", Penalty, string.Join(", ", Enum.GetNames<PenaltyKind>()));
        return this;
    }
}
