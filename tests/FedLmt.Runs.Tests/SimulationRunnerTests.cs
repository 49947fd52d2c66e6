using System.Text.Json;
using FedLmt.Runs;

namespace FedLmt.Runs.Tests;

public class SimulationRunnerTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("fedlmt-sim-").FullName;

    /// <summary>A seconds-sized run on the embedded Fashion-MNIST subset: small MLP, 10 clients, 3 per round.</summary>
    static RunConfig Small(params string[] overrides) => ConfigLoader.Parse("""
        name: small
        model: { architecture: mlp, width_multiplier: 0.25 }
        federated: { num_clients: 10, fraction: 0.3, rounds: 4 }
        tiers:
          - { name: strong, share: 0.5 }
          - { name: weak, share: 0.5, macs_budget: 0.5 }
        lr: { initial: 0.05, final: 0.001 }
        local: { batch_size: 32 }
        evaluation: { every: 2 }
        checkpoint: { every: 1 }
        """, overrides);

    string Out(string name) => Path.Combine(_root, name);

    [Fact]
    public void A_run_learns_and_writes_every_result_file()
    {
        var summary = new SimulationRunner(Small(), Out("a")).Run();
        Assert.Equal(4, summary.RoundsCompleted);
        Assert.False(summary.Interrupted);
        Assert.True(summary.FinalGlobalAccuracy > 0.5, $"accuracy {summary.FinalGlobalAccuracy} (chance is 0.1)");
        Assert.True(summary.FinalClientMeanAccuracy > 0.5);
        // The weak tier affords half the full MLP's MACs, so FedLMT moves and computes less than FedAvg would.
        Assert.True(summary.FedAvgEquivalentBytes > summary.TotalBytes);
        Assert.True(summary.FedAvgEquivalentClientMacs > summary.TotalClientMacs);

        foreach (var f in new[] { "config.yaml", "results.jsonl", "results.csv", "summary.json", "checkpoint.bin",
                                  "accuracy_vs_round.png", "accuracy_vs_bytes.png", "accuracy_vs_client_macs.png", "smallest_singular_value.png" })
            Assert.True(File.Exists(Path.Combine(Out("a"), f)), f);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Out("a"), "tb"), "events.out.tfevents.*"));
        var lines = File.ReadAllLines(Path.Combine(Out("a"), "results.jsonl"));
        Assert.Equal(4, lines.Length);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(Out("a"), "results.csv")).Length);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(4, last.RootElement.GetProperty("round").GetInt32());
        // Cumulative bytes are the running sum of each round's down + up.
        var rows = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows.Sum(r => r.GetProperty("bytes_down").GetInt64() + r.GetProperty("bytes_up").GetInt64()),
            last.RootElement.GetProperty("cumulative_bytes").GetInt64());
    }

    [Fact]
    public void An_interrupted_then_resumed_run_gives_exactly_the_uninterrupted_numbers()
    {
        new SimulationRunner(Small(), Out("straight")).Run();

        using var cancel = new CancellationTokenSource();
        var progress = new Inline(r => { if (r.Round == 2) cancel.Cancel(); });
        var first = new SimulationRunner(Small(), Out("resumed")).Run(progress: progress, cancellation: cancel.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(2, first.RoundsCompleted);
        var second = new SimulationRunner(Small(), Out("resumed")).Run(resume: true);
        Assert.Equal(4, second.RoundsCompleted);

        using var a = CheckpointStore.Load(Path.Combine(Out("straight"), "checkpoint.bin"));
        using var b = CheckpointStore.Load(Path.Combine(Out("resumed"), "checkpoint.bin"));
        foreach (var name in a.Global.Keys)
            Assert.True(a.Global[name].equal(b.Global[name]).all().item<bool>(), name);
        Assert.Equal(Deterministic(Out("straight")), Deterministic(Out("resumed")));
    }

    [Fact]
    public void Resume_refuses_results_that_lost_a_round_the_checkpoint_has()
    {
        // Before: the torn last line was dropped silently and every later cumulative figure was short by one round.
        using var cancel = new CancellationTokenSource();
        var progress = new Inline(r => { if (r.Round == 2) cancel.Cancel(); });
        new SimulationRunner(Small(), Out("torn")).Run(progress: progress, cancellation: cancel.Token);
        string results = Path.Combine(Out("torn"), "results.jsonl");
        var lines = File.ReadAllLines(results);
        File.WriteAllText(results, lines[0] + "\n" + lines[1][..(lines[1].Length / 2)]); // round 2's line torn
        string before = File.ReadAllText(results);

        var e = Assert.Throws<InvalidDataException>(() => new SimulationRunner(Small(), Out("torn")).Run(resume: true));
        Assert.Contains("the checkpoint is after round 2, but the records of round 2 are missing", e.Message);
        Assert.Equal(before, File.ReadAllText(results)); // refusing loses nothing
    }

    [Fact]
    public void Resume_refuses_a_changed_config_and_a_fresh_run_refuses_an_existing_one()
    {
        new SimulationRunner(Small("federated.rounds=1"), Out("x")).Run();
        Assert.Contains("--resume", Assert.Throws<InvalidOperationException>(() => new SimulationRunner(Small("federated.rounds=1"), Out("x")).Run()).Message);
        Assert.Contains("config differs", Assert.Throws<InvalidOperationException>(() =>
            new SimulationRunner(Small("federated.rounds=2", "seed=9"), Out("x")).Run(resume: true)).Message);
        Assert.Contains("no checkpoint", Assert.Throws<InvalidOperationException>(() => new SimulationRunner(Small(), Out("none")).Run(resume: true)).Message);
    }

    [Fact]
    public void Parallel_workers_give_the_same_numbers_as_sequential_clients()
    {
        new SimulationRunner(Small("federated.rounds=2"), Out("seq")).Run();
        new SimulationRunner(Small("federated.rounds=2", "simulation.workers=2"), Out("par")).Run();
        Assert.Equal(Deterministic(Out("seq")), Deterministic(Out("par")));
    }

    [Fact]
    public void Pfedlmt_personalizes_after_the_meta_round_and_reports_personal_accuracy()
    {
        var summary = new SimulationRunner(Small("algorithm=pfedlmt", "pfedlmt.meta_round=2", "pfedlmt.tier_ratios.strong=0.6",
            "pfedlmt.tier_ratios.weak=0.15"), Out("p")).Run();
        Assert.Equal(4, summary.RoundsCompleted);
        var rows = File.ReadAllLines(Path.Combine(Out("p"), "results.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // Round 2 (before personalization) still has a global model; round 4 only personalized client models.
        Assert.NotEqual(JsonValueKind.Null, rows[1].GetProperty("global_accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, rows[3].GetProperty("global_accuracy").ValueKind);
        Assert.True(rows[3].GetProperty("client_mean_accuracy").GetDouble() > 0.5);
        Assert.Contains("per-tier ratios strong 0.6, weak 0.15", summary.Model);
    }

    /// <summary>Everything in results.jsonl except wall-clock times.</summary>
    static string Deterministic(string dir) => string.Join("\n", File.ReadAllLines(Path.Combine(dir, "results.jsonl")).Select(l =>
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject();
        node.Remove("seconds");
        node.Remove("train_seconds");
        node.Remove("cumulative_seconds");
        return node.ToJsonString();
    }));

    sealed class Inline(Action<RoundRecord> f) : IProgress<RoundRecord>
    {
        public void Report(RoundRecord value) => f(value);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
