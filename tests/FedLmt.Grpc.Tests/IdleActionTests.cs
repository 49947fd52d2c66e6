namespace FedLmt.Grpc.Tests;

public class IdleActionTests
{
    [Fact]
    public async Task The_action_runs_once_after_an_idle_spell_and_not_when_work_comes_first()
    {
        int runs = 0;
        using var idle = new IdleAction(TimeSpan.FromMilliseconds(200), () => Interlocked.Increment(ref runs));

        idle.Idle();
        await Task.Delay(50);
        idle.Busy(); // work arrived within the delay
        await Task.Delay(400);
        Assert.Equal(0, runs);

        idle.Idle();
        await Task.Delay(50);
        idle.Idle(); // a restart pushes it back, it does not run twice
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref runs) == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(400);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task An_infinite_delay_never_runs_and_a_disposed_one_ignores_calls()
    {
        int runs = 0;
        using (var never = new IdleAction(Timeout.InfiniteTimeSpan, () => runs++))
        {
            never.Idle();
            await Task.Delay(300);
        }
        var disposed = new IdleAction(TimeSpan.FromMilliseconds(1), () => runs++);
        disposed.Dispose();
        disposed.Idle();
        await Task.Delay(300);
        Assert.Equal(0, runs);
    }
}
