using FedLmt.Federated;

namespace FedLmt.Core.Tests.Federated;

public class CosineScheduleTests
{
    [Fact]
    public void Cosine_starts_at_lr0_is_halfway_in_the_middle_and_rests_at_the_floor()
    {
        var s = new CosineSchedule(0.1, 0.001, Rounds: 100).Validate();
        Assert.Equal(0.1, s.At(0), 12);
        Assert.Equal((0.1 + 0.001) / 2, s.At(50), 12);
        // A quarter in: floor + (lr0 - floor)(1 + cos(pi/4))/2 = 0.001 + 0.099 * 0.853553... = 0.0855017...
        Assert.Equal(0.001 + 0.099 * (1 + Math.Sqrt(0.5)) / 2, s.At(25), 12);
        // The last round is one step short of the floor, as PyTorch's CosineAnnealingLR(T_max = rounds).
        Assert.Equal(0.001 + 0.099 * (1 + Math.Cos(Math.PI * 99 / 100)) / 2, s.At(99), 12);
        Assert.True(s.At(99) > 0.001);
        Assert.Equal(0.001, s.At(100), 12);
        Assert.Equal(0.001, s.At(5000), 12);
    }

    [Fact]
    public void Warmup_ramps_linearly_then_the_cosine_runs_over_the_remaining_rounds()
    {
        var s = new CosineSchedule(0.2, 0.0, Rounds: 14, WarmupRounds: 4).Validate();
        Assert.Equal(0.2 * 1 / 5, s.At(0), 12);
        Assert.Equal(0.2 * 2 / 5, s.At(1), 12);
        Assert.Equal(0.2 * 4 / 5, s.At(3), 12);
        Assert.Equal(0.2, s.At(4), 12);
        Assert.Equal(0.1, s.At(9), 12); // 5 of the 10 cosine rounds
        Assert.Equal(0.0, s.At(14), 12);
    }

    [Fact]
    public void The_rate_never_rises_after_warmup()
    {
        var s = new CosineSchedule(0.1, 1e-4, Rounds: 300, WarmupRounds: 10);
        for (int r = 10; r < 320; r++) Assert.True(s.At(r + 1) <= s.At(r));
    }

    [Theory]
    [InlineData(0.0, 0.0, 10, 0, "lr.initial")]
    [InlineData(0.1, 0.2, 10, 0, "lr.final")]
    [InlineData(0.1, 0.0, 0, 0, "federated.rounds")]
    [InlineData(0.1, 0.0, 10, 10, "lr.warmup_rounds")]
    public void A_bad_schedule_is_refused_naming_the_key(double lr0, double floor, int rounds, int warmup, string key) =>
        Assert.Contains(key, Assert.Throws<ArgumentException>(() => new CosineSchedule(lr0, floor, rounds, warmup).Validate()).Message);
}
