using System.Numerics;
using System.Runtime.InteropServices;
using FedLmt.Federated;
using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>
/// What a reply must be: for training, exactly the instruction's tensors (names, dtypes, shapes) and the client's
/// registered example count; for evaluation, no tensors and the client's test example count.
/// </summary>
public sealed record UpdateExpectation(bool Training, IReadOnlyDictionary<string, (DType DType, long[] Shape)> Tensors, long NumExamples)
{
    public static UpdateExpectation Evaluation(long testExamples) => new(false, new Dictionary<string, (DType, long[])>(), testExamples);
}

/// <summary>
/// Checks every reply before it can reach aggregation: the right task and round, the expected tensors and example
/// count, a size limit, sane metrics, and finite values. Each check returns the reason it refuses, or null.
/// </summary>
public static class UpdateValidator
{
    /// <summary>The most metrics a reply may carry, and the longest metric name.</summary>
    public const int MaxMetrics = 64, MaxMetricName = 64;

    public static string? CheckHeader(ReplyHeader reply, long taskId, int round, UpdateExpectation expected, long maxBytes)
    {
        if (reply.TaskId != taskId) return $"reply for task {reply.TaskId}, expected {taskId}";
        if (reply.Round != round) return $"reply for round {reply.Round}, expected round {round}";
        if (reply.NumExamples != expected.NumExamples)
            return $"num_examples {reply.NumExamples}, but the client registered {expected.NumExamples}";
        if (reply.Metrics.Count > MaxMetrics) return $"{reply.Metrics.Count} metrics, over the limit of {MaxMetrics}";
        foreach (var name in reply.Metrics.Keys)
            if (name.Length is 0 or > MaxMetricName) return $"metric name '{Shorten(name)}' is empty or over {MaxMetricName} characters";
        if (CheckMetrics(reply.Metrics, expected.Training, reply.NumExamples) is { } metricProblem) return metricProblem;
        if (reply.Tensors.Count != expected.Tensors.Count)
            return $"{reply.Tensors.Count} tensors, expected {expected.Tensors.Count}";
        long total = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in reply.Tensors)
        {
            if (!expected.Tensors.TryGetValue(h.Name, out var e)) return $"unexpected tensor '{Shorten(h.Name)}'";
            if (!seen.Add(h.Name)) return $"tensor '{h.Name}' appears twice";
            if (h.Dtype != e.DType) return $"tensor '{h.Name}' has dtype {h.Dtype}, expected {e.DType}";
            if (!h.Shape.SequenceEqual(e.Shape)) return $"tensor '{h.Name}' has shape [{string.Join(", ", h.Shape)}], expected [{string.Join(", ", e.Shape)}]";
            total += TensorPayload.ByteLength(h);
        }
        if (total > maxBytes) return $"the update is {total} bytes, over the limit of {maxBytes}";
        return null;
    }

    /// <summary>What a training reply must report: the metrics the strategies aggregate.</summary>
    public static readonly IReadOnlyList<string> TrainingMetrics = [MetricNames.TrainLoss, MetricNames.TrainAccuracy];

    /// <summary>What an evaluation reply must report: the metrics the evaluation summary averages.</summary>
    public static readonly IReadOnlyList<string> EvaluationMetrics = [MetricNames.TestLoss, MetricNames.TestAccuracy];

    /// <summary>
    /// Metrics reach results files, summaries and the strategy's evaluation, so a reply must carry exactly the known ones
    /// it needs, each in range: a loss finite and >= 0, an accuracy in [0, 1], counts finite and >= 0 (NaN where the
    /// reply covers no examples). The work metrics
    /// (MACs, steps, samples) the server computes itself (<see cref="ClientTrainer.WorkOf"/>) and overwrites.
    /// </summary>
    public static string? CheckMetrics(IReadOnlyDictionary<string, double> metrics, bool training, long numExamples)
    {
        var required = training ? TrainingMetrics : EvaluationMetrics;
        foreach (var name in required)
            if (!metrics.ContainsKey(name)) return $"the reply lacks the metric '{name}'";
        foreach (var (name, value) in metrics)
        {
            bool known = required.Contains(name) || training && name is MetricNames.Macs or MetricNames.Steps or MetricNames.SamplesProcessed;
            if (!known) return $"unknown metric '{Shorten(name)}' in a{(training ? " training" : "n evaluation")} reply; allowed: {string.Join(", ", required)}{(training ? $", {MetricNames.Macs}, {MetricNames.Steps}, {MetricNames.SamplesProcessed}" : "")}";
            if (numExamples == 0 && double.IsNaN(value)) continue; // no data, no value: NaN is the honest report
            bool inRange = name is MetricNames.TrainAccuracy or MetricNames.TestAccuracy ? value is >= 0 and <= 1 : double.IsFinite(value) && value >= 0;
            if (!inRange)
                return $"metric '{name}' = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range ({(name.EndsWith("accuracy", StringComparison.Ordinal) ? "an accuracy is in [0, 1]" : "finite and >= 0")})";
        }
        return null;
    }

    /// <summary>Refuses a payload holding NaN or an infinity in a floating tensor.</summary>
    public static string? CheckValues(TensorPayload payload)
    {
        for (int i = 0; i < payload.Headers.Count; i++)
        {
            var h = payload.Headers[i];
            var bytes = payload.Segments[i].AsSpan();
            bool finite = h.Dtype switch
            {
                DType.Float32 => AllFinite(MemoryMarshal.Cast<byte, float>(bytes)),
                DType.Float64 => AllFinite(MemoryMarshal.Cast<byte, double>(bytes)),
                DType.Float16 => AllFinite16(MemoryMarshal.Cast<byte, ushort>(bytes), 0x7C00),
                DType.Bfloat16 => AllFinite16(MemoryMarshal.Cast<byte, ushort>(bytes), 0x7F80),
                _ => true,
            };
            if (!finite) return $"tensor '{h.Name}' holds NaN or infinite values";
        }
        return null;
    }

    /// <summary>x - x is 0 for every finite x and NaN for NaN and the infinities.</summary>
    static bool AllFinite<T>(ReadOnlySpan<T> values) where T : struct, IFloatingPointIeee754<T>
    {
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var acc = Vector<T>.Zero;
        foreach (var v in vectors) acc += v - v;
        if (!Vector.EqualsAll(acc, Vector<T>.Zero)) return false;
        for (int i = vectors.Length * Vector<T>.Count; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>A half-precision value is finite unless all its exponent bits are set.</summary>
    static bool AllFinite16(ReadOnlySpan<ushort> values, ushort exponent)
    {
        foreach (ushort v in values) if ((v & exponent) == exponent) return false;
        return true;
    }

    static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "...";
}
