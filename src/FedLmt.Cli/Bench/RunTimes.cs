using FedLmt.Reporting;
using FedLmt.Runs;

namespace FedLmt.Cli.Bench;

/// <summary>Round times from a run's results.jsonl.</summary>
public static class RunTimes
{
    /// <summary>Mean training + aggregation seconds of every round but the first (warm-up: first touches, JIT).</summary>
    public static double MeanTrainSeconds(string runDirectory) =>
        JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(runDirectory, "results.jsonl"), RunRecorder.Json).Skip(1).Average(r => r.TrainSeconds);
}
