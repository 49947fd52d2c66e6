using System.Globalization;
using System.Text;
using FedLmt.Reporting;

namespace FedLmt.Runs;

/// <summary>What happened to an arm of a comparison in this invocation.</summary>
public enum ArmStatus
{
    /// <summary>Run from the start.</summary>
    Ran,

    /// <summary>Continued from its checkpoint.</summary>
    Resumed,

    /// <summary>Already completed with the same config: its results were read, nothing was recomputed.</summary>
    Reused,

    /// <summary>Stopped by cancellation; a rerun resumes it.</summary>
    Interrupted,

    /// <summary>Not started because the comparison was cancelled first.</summary>
    Pending,

    /// <summary>Could not run (e.g. a tier cannot afford the arm's model); see the error.</summary>
    Failed,
}

/// <summary>One arm's outcome: its folder, status, summary and per-round records (empty when it did not run).</summary>
public sealed record ArmResult(string Arm, string Directory, ArmStatus Status, RunSummary? Summary, IReadOnlyList<RoundRecord> Records, string? Error);

/// <summary>
/// The comparison of a set of arms: a table (final and best global accuracy, mean client accuracy, bytes moved, client
/// MACs, wall time) written as comparison.csv and comparison.md, and overlaid accuracy plots against round, bytes and MACs.
/// </summary>
public sealed record ComparisonReport(string Directory, IReadOnlyList<ArmResult> Arms)
{
    public static readonly IReadOnlyList<string> CsvHeader =
    [
        "arm", "status", "rounds_completed", "rounds_planned", "final_global_accuracy", "best_global_accuracy", "final_client_mean_accuracy",
        "best_client_mean_accuracy", "total_bytes", "total_client_macs", "total_seconds", "model_parameters", "model", "error", "final_perplexity",
        "best_perplexity",
    ];

    /// <summary>The plots, by file name: x value of a round, x-axis label; a language model's are perplexity_vs_*.png.</summary>
    (string File, string XLabel, Func<RoundRecord, double> X)[] Plots
    {
        get
        {
            string metric = IsLanguageModel ? "perplexity" : "accuracy";
            return
            [
                ($"{metric}_vs_round.png", "round", r => r.Round),
                ($"{metric}_vs_bytes.png", "cumulative bytes moved (down + up)", r => r.CumulativeBytes),
                ($"{metric}_vs_client_macs.png", "cumulative client MACs (forward + backward)", r => r.CumulativeClientMacs),
            ];
        }
    }

    /// <summary>Whether the arms are language models (their records carry perplexity): then perplexity is what the plots show.</summary>
    public bool IsLanguageModel => Arms.Any(a => a.Records.Any(r => r.Perplexity is not null));

    public bool Interrupted => Arms.Any(a => a.Status is ArmStatus.Interrupted or ArmStatus.Pending);

    public bool AnyFailed => Arms.Any(a => a.Status == ArmStatus.Failed);

    public string CsvPath => Path.Combine(Directory, "comparison.csv");
    public string MarkdownPath => Path.Combine(Directory, "comparison.md");
    public IEnumerable<string> PlotPaths => Plots.Select(p => Path.Combine(Directory, p.File));

    /// <summary>Writes comparison.csv, comparison.md and the plots (atomically).</summary>
    public void Write()
    {
        CsvWriter.Write(CsvPath, CsvHeader, Arms.Select(a => (IReadOnlyList<object?>)
        [
            a.Arm, Status(a.Status), a.Summary?.RoundsCompleted, a.Summary?.RoundsPlanned, a.Summary?.FinalGlobalAccuracy, a.Summary?.BestGlobalAccuracy,
            a.Summary?.FinalClientMeanAccuracy, a.Summary?.BestClientMeanAccuracy, a.Summary?.TotalBytes, a.Summary?.TotalClientMacs,
            a.Summary?.TotalSeconds, a.Summary?.ModelParameters, a.Summary?.Model, a.Error, a.Summary?.FinalPerplexity, a.Summary?.BestPerplexity,
        ]));
        AtomicFile.WriteAllText(MarkdownPath, Markdown());
        bool perplexity = IsLanguageModel;
        foreach (var (file, xLabel, x) in Plots)
        {
            var chart = perplexity ? new LineChart("test perplexity (lower is better)", xLabel, "perplexity")
                : new LineChart("mean client test accuracy", xLabel, "accuracy");
            foreach (var arm in Arms)
            {
                var points = RoundRecord.Points(arm.Records, x, perplexity ? r => r.Perplexity : r => r.ClientMeanAccuracy);
                if (points.Count > 0) chart.Add(arm.Arm, points);
            }
            if (chart.Series.Count > 0) chart.SavePng(Path.Combine(Directory, file));
        }
    }

    /// <summary>Table columns for people (the CLI's terminal table and comparison.md).</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["arm", "status", "rounds", "final acc", "best acc", "mean client acc", "perplexity", "bytes moved", "client MACs", "wall time"];

    /// <summary>One formatted row per arm, in <see cref="Columns"/> order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows() => Arms.Select(a =>
    {
        var s = a.Summary;
        return (IReadOnlyList<string>)
        [
            a.Arm, Status(a.Status), s is null ? "-" : $"{s.RoundsCompleted}/{s.RoundsPlanned}", Percent(s?.FinalGlobalAccuracy), Percent(s?.BestGlobalAccuracy),
            Percent(s?.FinalClientMeanAccuracy), s?.FinalPerplexity is double ppl ? ppl.ToString("F1", CultureInfo.InvariantCulture) : "-",
            s is null ? "-" : Bytes(s.TotalBytes), s is null ? "-" : Macs(s.TotalClientMacs),
            s is null ? "-" : $"{s.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s",
        ];
    }).ToList();

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Columns.Select((_, i) => i < 2 ? "---|" : "---:|")));
        foreach (var row in Rows()) md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
        md.AppendLine();
        md.AppendLine("Accuracy: the global model on the whole test set (final, best over evaluations); mean client accuracy: the mean of each client's accuracy on its own test split (final).");
        if (IsLanguageModel) md.AppendLine("Perplexity: exp of the mean test loss per token (the global model's on the whole test set; pFedLMT: over the clients' own splits), final; plots show it against round, bytes and client MACs.");
        md.AppendLine("Bytes: raw tensor bytes sent down and up over the run; client MACs: forward + backward multiply-accumulates of every sample trained.");
        foreach (var a in Arms.Where(a => a.Summary is not null)) md.AppendLine($"- {a.Arm}: {a.Summary!.Model}");
        foreach (var a in Arms.Where(a => a.Error is not null)) md.AppendLine($"- {a.Arm} failed: {a.Error}");
        return md.ToString();
    }

    public static string Status(ArmStatus status) => status.ToString().ToLowerInvariant();

    static string Percent(double? v) => v is double x ? (100 * x).ToString("F2", CultureInfo.InvariantCulture) + "%" : "-";

    static string Bytes(long b) => (b / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    static string Macs(double m) => (m / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " G";
}
