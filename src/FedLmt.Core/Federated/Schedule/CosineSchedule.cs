namespace FedLmt.Federated;

/// <summary>
/// The server's learning rate per round: an optional linear warmup, then cosine annealing from <see cref="InitialLr"/>
/// to <see cref="FinalLr"/> over the remaining rounds, as PyTorch's CosineAnnealingLR with T_max = rounds - warmup
/// stepped once per round (round rounds-1 is one step short of the floor; later rounds stay at the floor).
/// </summary>
/// <remarks>
/// Warmup round t (0-based, t &lt; W) uses lr0 (t + 1) / (W + 1): a straight ramp that would reach lr0 at round W,
/// where the cosine starts. After warmup, lr(t) = floor + (lr0 - floor)(1 + cos(pi (t - W) / (T - W))) / 2.
/// </remarks>
public sealed record CosineSchedule(double InitialLr, double FinalLr, int Rounds, int WarmupRounds = 0)
{
    /// <summary>Refuses a bad schedule, naming the key, the value and what is allowed.</summary>
    public CosineSchedule Validate()
    {
        Check.Require(InitialLr > 0 && double.IsFinite(InitialLr), "lr.initial", InitialLr, "a finite number > 0");
        Check.Require(FinalLr >= 0 && FinalLr <= InitialLr, "lr.final", FinalLr, $"a number in [0, lr.initial = {InitialLr}]");
        Check.Require(Rounds >= 1, "federated.rounds", Rounds, "an integer >= 1");
        Check.Require(WarmupRounds >= 0 && WarmupRounds < Rounds, "lr.warmup_rounds", WarmupRounds, $"an integer in [0, rounds = {Rounds})");
        return this;
    }

    /// <summary>The learning rate of round <paramref name="round"/> (0-based).</summary>
    public double At(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        if (round < WarmupRounds) return InitialLr * (round + 1) / (WarmupRounds + 1);
        double progress = Math.Min(1.0, (double)(round - WarmupRounds) / (Rounds - WarmupRounds));
        return FinalLr + (InitialLr - FinalLr) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
