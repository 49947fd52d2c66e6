using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc;

/// <summary>
/// Logs refusals (bad tokens, refused registrations) without letting a flood of them flood the log: the first
/// <see cref="PerWindow"/> of each minute are logged one by one, the rest are counted and summed up in one line when
/// the next minute's first refusal arrives. One instance per server (a singleton), shared by every call.
/// </summary>
public sealed class RefusalLog(ILogger<RefusalLog> logger, Func<DateTime>? clock = null)
{
    /// <summary>Refusals logged one by one per window.</summary>
    public const int PerWindow = 10;

    /// <summary>The window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    readonly Func<DateTime> _clock = clock ?? (() => DateTime.UtcNow);
    readonly Lock _lock = new();
    DateTime _windowStart = DateTime.MinValue;
    int _logged;
    long _suppressed;

    /// <summary>Logs a refusal (a message template and its arguments) or counts it, as the window allows.</summary>
    public void Refused(string template, params object?[] args)
    {
        long summarized = 0;
        bool log, last;
        lock (_lock)
        {
            var now = _clock();
            if (now - _windowStart >= Window)
            {
                summarized = _suppressed;
                (_windowStart, _logged, _suppressed) = (now, 0, 0);
            }
            log = _logged < PerWindow;
            if (log) _logged++;
            else _suppressed++;
            last = log && _logged == PerWindow;
        }
        if (summarized > 0) logger.LogWarning("{Count} more refusals in the last minute were counted, not logged", summarized);
        if (!log) return;
        logger.LogWarning(template, args);
        if (last) logger.LogWarning("{Limit} refusals logged this minute; until the next minute they are counted, not logged", PerWindow);
    }
}
