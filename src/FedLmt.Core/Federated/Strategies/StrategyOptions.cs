using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// What every strategy needs: the model family, the clients and their tiers, participation, the server's learning
/// rate schedule, local training, the run seed. Defaults follow the reference (10% participation, E 1, B 64).
/// </summary>
public sealed record StrategyOptions
{
    /// <summary>The model family; each strategy decides the ratio (FedAvg uses the full model).</summary>
    public required ModelSpec Model { get; init; }

    public required ClientPopulation Clients { get; init; }

    /// <summary>Fraction of the eligible clients sampled each round.</summary>
    public double Fraction { get; init; } = 0.1;

    public required CosineSchedule LearningRate { get; init; }

    public LocalTrainingConfig Local { get; init; } = new();

    /// <summary>Seeds model initialization, sampling and every client's batch order.</summary>
    public long Seed { get; init; }

    public int EvalBatchSize { get; init; } = 256;

    /// <summary>Refuses a bad value, naming the key, the value and what is allowed.</summary>
    public StrategyOptions Validate()
    {
        Model.Validate();
        Check.Require(Fraction > 0 && Fraction <= 1, "federated.fraction", Fraction, "a number in (0, 1]");
        LearningRate.Validate();
        Local.Validate();
        Check.Require(EvalBatchSize >= 1, "evaluation.batch_size", EvalBatchSize, "an integer >= 1");
        return this;
    }
}
