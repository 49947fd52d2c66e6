using FedLmt.Reporting;
using FedLmt.Runs;

namespace FedLmt.Cli.Bench;

/// <summary>Round times from a run's results.jsonl.</summary>
public static class RunTimes
{
    /// <summary>Every round record of the run in <paramref name="runDirectory"/>.</summary>
    public static IReadOnlyList<RoundRecord> Records(string runDirectory) =>
        JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(runDirectory, "results.jsonl"), RunRecorder.Json);

    /// <summary>Mean training + aggregation seconds of every round but the first (warm-up: first touches, JIT).</summary>
    public static double MeanTrainSeconds(string runDirectory) => Records(runDirectory).Skip(1).Average(r => r.TrainSeconds);
}
