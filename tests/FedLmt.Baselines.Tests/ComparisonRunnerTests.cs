using FedLmt.Runs;

namespace FedLmt.Baselines.Tests;

public class ComparisonRunnerTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("fedlmt-compare-").FullName;

    static RunConfig Config(params string[] more) =>
        BaselineRunTests.Small("fedlmt", ["federated.rounds=2", "evaluation.every=1", "checkpoint.every=1", .. more]);

    // pFedLMT asked for ratio 0.6 on the second tier, more than it affords: that arm fails, the others run.
    static RunConfig WithUnaffordablePFedLmt() => Config("pfedlmt.tier_ratios.weak=0.6");

    [Fact]
    public void A_second_invocation_reads_finished_arms_instead_of_rerunning_them()
    {
        var runner = new ComparisonRunner(WithUnaffordablePFedLmt(), _root, ["fedavg-excluded", "pfedlmt", "heterofl"]);
        var first = runner.Run();
        Assert.Equal([ArmStatus.Ran, ArmStatus.Failed, ArmStatus.Ran], first.Arms.Select(a => a.Status));
        Assert.Contains("tier 'weak'", first.Arms[1].Error);
        Assert.Contains("cannot afford", first.Arms[1].Error);
        string results = Path.Combine(_root, "heterofl", "results.jsonl");
        var written = File.GetLastWriteTimeUtc(results);
        string summary = File.ReadAllText(Path.Combine(_root, "heterofl", "summary.json"));

        var second = new ComparisonRunner(WithUnaffordablePFedLmt(), _root, ["fedavg-excluded", "pfedlmt", "heterofl"]).Run();

        Assert.Equal([ArmStatus.Reused, ArmStatus.Failed, ArmStatus.Reused], second.Arms.Select(a => a.Status));
        Assert.Equal(written, File.GetLastWriteTimeUtc(results));
        Assert.Equal(summary, File.ReadAllText(Path.Combine(_root, "heterofl", "summary.json")));
        Assert.Equal(first.Arms[2].Summary, second.Arms[2].Summary);
        Assert.Equal(2, second.Arms[2].Records.Count);
        Assert.Equal("heterofl", second.Arms[2].Summary!.Algorithm);
    }

    [Fact]
    public void An_interrupted_comparison_resumes_the_interrupted_arm_and_runs_the_rest()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new Inline(p => { if (p.Arm == "fedhm" && p.Round.Round == 1) cancel.Cancel(); });
        var first = new ComparisonRunner(Config(), _root, ["fedhm", "fedrolex"]).Run(progress: progress, cancellation: cancel.Token);
        Assert.Equal([ArmStatus.Interrupted, ArmStatus.Pending], first.Arms.Select(a => a.Status));
        Assert.True(first.Interrupted);
        Assert.Equal(1, first.Arms[0].Summary!.RoundsCompleted);

        var started = new List<(string, ArmStatus)>();
        var second = new ComparisonRunner(Config(), _root, ["fedhm", "fedrolex"]).Run((arm, status) => started.Add((arm, status)));

        Assert.Equal([("fedhm", ArmStatus.Resumed), ("fedrolex", ArmStatus.Ran)], started);
        Assert.False(second.Interrupted);
        Assert.Equal(2, second.Arms[0].Summary!.RoundsCompleted);
        Assert.Equal([1, 2], second.Arms[0].Records.Select(r => r.Round));
        Assert.All(second.Arms, a => Assert.True(a.Summary!.FinalClientMeanAccuracy > 0.3, $"{a.Arm}: {a.Summary!.FinalClientMeanAccuracy}"));
    }

    [Fact]
    public void The_comparison_is_written_as_csv_markdown_and_three_plots()
    {
        var report = new ComparisonRunner(Config(), _root, ["fedavg-all", "fedrolex"]).Run();
        var csv = File.ReadAllLines(report.CsvPath);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("arm,status,rounds_completed", csv[0]);
        Assert.StartsWith("fedavg-all,ran,2,2,", csv[1]);
        Assert.StartsWith("fedrolex,ran,2,2,", csv[2]);
        string md = File.ReadAllText(report.MarkdownPath);
        Assert.Contains("| arm | status | rounds | final acc |", md);
        Assert.Contains("| fedrolex | ran | 2/2 |", md);
        foreach (var plot in report.PlotPaths) Assert.True(new FileInfo(plot).Length > 1000, plot);
        // FedRolex's weak clients train half-width models: fewer bytes and MACs than FedAvg with every client on the full model.
        Assert.True(report.Arms[1].Summary!.TotalBytes < report.Arms[0].Summary!.TotalBytes);
        Assert.True(report.Arms[1].Summary!.TotalClientMacs < report.Arms[0].Summary!.TotalClientMacs);
    }

    [Fact]
    public void An_unknown_arm_or_a_folder_from_another_config_is_refused()
    {
        Assert.Contains("allowed", Assert.Throws<ArgumentException>(() => new ComparisonRunner(Config(), _root, ["fedsgd"])).Message);
        new ComparisonRunner(Config(), _root, ["fedavg-all"]).Run();
        var changed = new ComparisonRunner(BaselineRunTests.Small("fedlmt", "federated.rounds=2", "evaluation.every=1", "checkpoint.every=1", "seed=5"), _root, ["fedavg-all"]).Run();
        Assert.Equal(ArmStatus.Failed, changed.Arms[0].Status);
        Assert.Contains("different config", changed.Arms[0].Error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    sealed class Inline(Action<(string Arm, RoundRecord Round)> report) : IProgress<(string Arm, RoundRecord Round)>
    {
        public void Report((string Arm, RoundRecord Round) value) => report(value);
    }
}
