using FedLmt.Runs;

namespace FedLmt.Runs.Tests;

/// <summary>`fedlmt compare --runs`: runs already made, side by side, without running anything.</summary>
public class ComparisonGatherTests
{
    static RunConfig Small(int seed) => ConfigLoader.Parse($"""
        name: s
        seed: {seed}
        model: {"{"} architecture: mlp, width_multiplier: 0.25 {"}"}
        federated: {"{"} num_clients: 3, fraction: 1.0, rounds: 2 {"}"}
        evaluation: {"{"} every: 1 {"}"}
        """);

    [Fact]
    public void Finished_runs_become_arms_named_after_their_folders_with_their_own_numbers()
    {
        string root = Directory.CreateTempSubdirectory("fedlmt-gather-").FullName;
        try
        {
            string a = Path.Combine(root, "small-a"), b = Path.Combine(root, "small-b");
            var first = new SimulationRunner(Small(1), a).Run();
            var second = new SimulationRunner(Small(9), b).Run();

            var report = ComparisonRunner.Gather(Path.Combine(root, "cmp"), [a, b]);

            Assert.Equal(["small-a", "small-b"], report.Arms.Select(x => x.Arm));
            Assert.Equal(first.FinalClientMeanAccuracy, report.Arms[0].Summary!.FinalClientMeanAccuracy);
            Assert.Equal(second.FinalClientMeanAccuracy, report.Arms[1].Summary!.FinalClientMeanAccuracy);
            Assert.Equal(2, report.Arms[1].Records.Count);
            Assert.Equal(3, File.ReadAllLines(report.CsvPath).Length); // header + one line per run
            Assert.True(File.Exists(Path.Combine(root, "cmp", "accuracy_vs_round.png")));

            var twice = Assert.Throws<ArgumentException>(() => ComparisonRunner.Gather(Path.Combine(root, "cmp2"), [a, a]));
            Assert.Contains("more than one folder is named small-a", twice.Message);
            var empty = Assert.Throws<ArgumentException>(() => ComparisonRunner.Gather(Path.Combine(root, "cmp3"), [Path.Combine(root, "cmp")]));
            Assert.Contains("holds no finished run", empty.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
