using System.Diagnostics;
using System.Text.Json;

namespace FedLmt.Cli.Tests;

/// <summary>
/// The real fedlmt process: a stop signal checkpoints and exits; --resume finishes the run. The test sends SIGTERM: a
/// test host's children inherit SIGINT as ignored (like background jobs), which .NET rightly keeps. Both signals take
/// the same path (StopSignals).
/// </summary>
public class SimulateProcessTests : IDisposable
{
    readonly string _out = Path.Combine(Directory.CreateTempSubdirectory("fedlmt-proc-").FullName, "run");

    static readonly string[] Small =
    [
        "--set", "model.architecture=mlp", "--set", "model.width_multiplier=0.25", "--set", "federated.num_clients=10",
        "--set", "federated.fraction=0.3", "--set", "federated.rounds=40", "--set", "evaluation.every=10",
        "--set", "checkpoint.every=10", "--set", "lr.initial=0.02",
    ];

    static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fedlmt.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void A_stop_signal_checkpoints_and_exits_then_resume_completes_the_run()
    {
        using var first = Start(["simulate", .. Small, "--out", _out]);
        string results = Path.Combine(_out, "results.jsonl");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(File.Exists(results) && File.ReadAllLines(results).Length >= 1) && DateTime.UtcNow < deadline && !first.HasExited)
            Thread.Sleep(100);
        if (first.HasExited) Assert.Fail($"fedlmt exited early ({first.ExitCode}): {first.StandardError.ReadToEnd()}"); // message read only then: ReadToEnd waits for exit
        Assert.Equal(0, Kill(first.Id, 15)); // SIGTERM
        string stdout = first.StandardOutput.ReadToEnd();
        Assert.True(first.WaitForExit(120_000), "fedlmt did not exit after SIGTERM");
        Assert.True(first.ExitCode == 130, $"exit {first.ExitCode}: {stdout}");
        Assert.Contains("Stop requested", stdout);

        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "summary.json"))))
        {
            Assert.True(summary.RootElement.GetProperty("interrupted").GetBoolean());
            int done = summary.RootElement.GetProperty("rounds_completed").GetInt32();
            Assert.InRange(done, 1, 39);
            Assert.Equal(done, File.ReadAllLines(results).Length);
        }
        Assert.True(File.Exists(Path.Combine(_out, "checkpoint.bin")));

        using var second = Start(["simulate", .. Small, "--out", _out, "--resume"]);
        string log = second.StandardOutput.ReadToEnd();
        Assert.True(second.WaitForExit(300_000));
        Assert.True(second.ExitCode == 0, log + second.StandardError.ReadToEnd());
        var rounds = File.ReadAllLines(results).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("round").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, 40), rounds);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_out)!, recursive: true);
}
