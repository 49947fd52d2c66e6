namespace FedLmt.Grpc;

/// <summary>
/// Runs an action once something has stayed idle for <see cref="Delay"/>: <see cref="Idle"/> starts the wait,
/// <see cref="Busy"/> calls it off. A deployed client uses it to hand memory back only when it is not sampled for a
/// while, never between rounds that follow each other.
/// </summary>
public sealed class IdleAction(TimeSpan delay, Action action) : IDisposable
{
    readonly Lock _lock = new();
    readonly Timer _timer = new(_ => action());
    bool _disposed;

    public TimeSpan Delay { get; } = delay;

    /// <summary>Starts (or restarts) the wait; no effect with an infinite <see cref="Delay"/>.</summary>
    public void Idle() => Change(Delay);

    /// <summary>Calls off a pending wait.</summary>
    public void Busy() => Change(Timeout.InfiniteTimeSpan);

    void Change(TimeSpan due)
    {
        lock (_lock)
            if (!_disposed) _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
