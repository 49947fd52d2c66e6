namespace FedLmt.Cli.Tests;

public class CompareCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("fedlmt-compare-cli-").FullName;

    string Out => Path.Combine(_dir, "cmp");

    /// <summary>A seconds-sized comparison: small MLP on the embedded subset, 6 clients, 2 rounds, three arms.</summary>
    [Fact]
    public void Compare_prints_a_table_writes_csv_markdown_and_plots_and_a_rerun_reads_the_finished_arms()
    {
        var args = new[]
        {
            "compare", "--set", "model.architecture=mlp", "--set", "model.width_multiplier=0.25", "--set", "federated.num_clients=6",
            "--set", "federated.rounds=2", "--set", "evaluation.every=1", "--set", "lr.initial=0.02", "--arms", "fedavg-all,fedlmt,heterofl", "--out", Out,
        };
        var (code, output) = CliRunner.Run(args);
        Assert.True(code == 0, output);
        foreach (var arm in new[] { "fedavg-all", "fedlmt", "heterofl" })
        {
            Assert.Contains(arm, output);
            Assert.True(File.Exists(Path.Combine(Out, arm, "summary.json")), arm);
        }
        Assert.Contains("final acc", output);
        Assert.Contains("client MACs", output);
        foreach (var f in new[] { "comparison.csv", "comparison.md", "accuracy_vs_round.png", "accuracy_vs_bytes.png", "accuracy_vs_client_macs.png" })
            Assert.True(File.Exists(Path.Combine(Out, f)), f);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(Out, "comparison.csv")).Length);

        var written = File.GetLastWriteTimeUtc(Path.Combine(Out, "heterofl", "results.jsonl"));
        var (again, rerun) = CliRunner.Run(args);
        Assert.True(again == 0, rerun);
        Assert.Equal(3, rerun.Split("reused").Length - 1);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(Out, "heterofl", "results.jsonl")));
    }

    [Fact]
    public void An_unknown_arm_is_refused_naming_the_allowed_ones()
    {
        var (code, output) = CliRunner.Run("compare", "--arms", "fedavg-all,fedsgd", "--out", Out);
        Assert.NotEqual(0, code);
        Assert.Contains("unknown fedsgd", output);
        Assert.Contains("heterofl", output);
        Assert.False(Directory.Exists(Out));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
