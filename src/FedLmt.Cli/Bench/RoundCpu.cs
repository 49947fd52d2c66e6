using System.Diagnostics;
using FedLmt.Runs;

namespace FedLmt.Cli.Bench;

/// <summary>
/// CPU time that processes spend on a run's steady rounds: read when round <c>from</c> (1-based) is recorded and again when
/// round <c>to</c> is, so the first round's warm-up and the last round's evaluation are left out.
/// </summary>
public sealed class RoundCpu(IReadOnlyList<Process> processes, int from, int to) : IProgress<RoundRecord>
{
    TimeSpan[]? _start, _end;

    /// <summary>Rounds between the two readings.</summary>
    public int Rounds => to - from;

    public void Report(RoundRecord record)
    {
        if (record.Round == from) _start = Read();
        else if (record.Round == to) _end = Read();
    }

    /// <summary>Milliseconds of CPU per round, one figure per process.</summary>
    public double[] MillisecondsPerRound()
    {
        if (_start is null || _end is null) throw new InvalidOperationException($"the run did not record rounds {from} and {to}");
        return _start.Select((s, i) => (_end[i] - s).TotalMilliseconds / Rounds).ToArray();
    }

    TimeSpan[] Read() => processes.Select(p =>
    {
        p.Refresh();
        return p.TotalProcessorTime;
    }).ToArray();
}
