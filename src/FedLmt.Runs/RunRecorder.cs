using System.Text.Json;
using FedLmt.Reporting;
using TorchSharp;

namespace FedLmt.Runs;

/// <summary>
/// Writes a run's results as it goes: results.jsonl (one flushed line per round), TensorBoard event files under tb/,
/// and at the end (or on interruption) results.csv, summary.json and the PNG plots - every file written atomically.
/// </summary>
public sealed class RunRecorder : IDisposable
{
    /// <summary>
    /// snake_case, one line per record; NaN and infinities (a diverged run) are written as "NaN"/"Infinity" rather than
    /// failing the run, so a divergence is recorded, not fatal.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    readonly string _dir;
    readonly List<RoundRecord> _records;
    readonly JsonLinesAppender _jsonl;
    readonly TorchSharp.Modules.SummaryWriter _tensorboard;

    /// <summary>
    /// Opens the results of <paramref name="directory"/>, keeping the records of the first <paramref name="keepRounds"/>
    /// rounds (a resumed run drops what came after its checkpoint; a fresh run keeps none).
    /// </summary>
    public RunRecorder(string directory, int keepRounds)
    {
        _dir = directory;
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "results.jsonl");
        var existing = File.Exists(path) ? JsonLinesAppender.ReadAll<RoundRecord>(path, Json) : [];
        _records = existing.Where(r => r.Round <= keepRounds).ToList();
        // A resumed run continues its cumulative figures from the last record: a record lost to a torn write would leave
        // every later figure short by a round, so the records must cover every round the checkpoint has (checked before
        // the file is rewritten, so nothing is lost by refusing).
        var missing = Enumerable.Range(1, keepRounds).Except(_records.Select(r => r.Round)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"{path}: the checkpoint is after round {keepRounds}, but the records of round{(missing.Count > 1 ? "s" : "")} " +
                $"{string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")} are missing (a line torn by a crash?), so every later " +
                "cumulative figure would be short; restore the file, or start the run afresh in another --out");
        AtomicFile.WriteAllText(path, string.Concat(_records.Select(r => JsonSerializer.Serialize(r, Json) + "\n")));
        _jsonl = new JsonLinesAppender(path, Json);
        _tensorboard = torch.utils.tensorboard.SummaryWriter(Path.Combine(directory, "tb"));
    }

    public IReadOnlyList<RoundRecord> Records => _records;

    public void Append(RoundRecord r)
    {
        _records.Add(r);
        _jsonl.Append(r);
        void Scalar(string tag, double? v)
        {
            if (v is double x && double.IsFinite(x)) _tensorboard.add_scalar(tag, (float)x, r.Round);
        }
        Scalar("train/loss", r.TrainLoss);
        Scalar("train/accuracy", r.TrainAccuracy);
        Scalar("train/learning_rate", r.LearningRate);
        Scalar("cost/cumulative_bytes", r.CumulativeBytes);
        Scalar("cost/cumulative_client_macs", r.CumulativeClientMacs);
        Scalar("test/global_accuracy", r.GlobalAccuracy);
        Scalar("test/global_loss", r.GlobalLoss);
        Scalar("test/client_mean_accuracy", r.ClientMeanAccuracy);
        Scalar("test/global_perplexity", r.GlobalPerplexity);
        Scalar("test/client_perplexity", r.ClientPerplexity);
        Scalar("health/smallest_singular_value", r.SmallestSingularValue);
    }

    /// <summary>Writes results.csv, summary.json and the plots from the records so far.</summary>
    public void Finish(RunSummary summary)
    {
        CsvWriter.Write(Path.Combine(_dir, "results.csv"), RoundRecord.CsvHeader, _records.Select(r => r.CsvRow()));
        AtomicFile.WriteAllText(Path.Combine(_dir, "summary.json"),
            JsonSerializer.Serialize(summary, new JsonSerializerOptions(Json) { WriteIndented = true }));
        var evaluated = _records.Where(r => r.Evaluated).ToList();
        if (evaluated.Count == 0) return;
        bool perplexity = evaluated.Any(r => r.Perplexity is not null);
        string metric = perplexity ? "perplexity" : "accuracy";
        SaveMetricChart($"{metric}_vs_round.png", "round", evaluated, r => r.Round, perplexity);
        SaveMetricChart($"{metric}_vs_bytes.png", "cumulative bytes moved (down + up)", evaluated, r => r.CumulativeBytes, perplexity);
        SaveMetricChart($"{metric}_vs_client_macs.png", "cumulative client MACs (forward + backward)", evaluated, r => r.CumulativeClientMacs, perplexity);
        var health = RoundRecord.Points(evaluated, r => r.Round, r => r.SmallestSingularValue);
        if (health.Count > 0)
            new LineChart($"{summary.Name}: smallest singular value of the factors", "round", "sigma_min")
                .Add("min over U, V", health)
                .SavePng(Path.Combine(_dir, "smallest_singular_value.png"));
    }

    /// <summary>Test accuracy against <paramref name="x"/>, or for a language model test perplexity (lower is better).</summary>
    void SaveMetricChart(string file, string xLabel, IReadOnlyList<RoundRecord> rows, Func<RoundRecord, double> x, bool perplexity)
    {
        var chart = perplexity
            ? new LineChart($"{Path.GetFileName(_dir)}: test perplexity (lower is better)", xLabel, "perplexity")
            : new LineChart($"{Path.GetFileName(_dir)}: test accuracy", xLabel, "accuracy");
        var global = RoundRecord.Points(rows, x, perplexity ? r => r.GlobalPerplexity : r => r.GlobalAccuracy);
        var client = RoundRecord.Points(rows, x, perplexity ? r => r.ClientPerplexity : r => r.ClientMeanAccuracy);
        if (global.Count > 0) chart.Add("global model, whole test set", global);
        if (client.Count > 0) chart.Add(perplexity ? "clients' own test splits" : "mean of per-client accuracy", client);
        chart.SavePng(Path.Combine(_dir, file));
    }

    public void Dispose()
    {
        _jsonl.Dispose();

    }
}
