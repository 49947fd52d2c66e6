using System.Diagnostics;
using System.Text.Json;

namespace FedLmt.Cli.Bench;

/// <summary>One model's step time as the PyTorch peer script measured it.</summary>
public sealed record PeerTiming(string Model, double MillisecondsPerStep, string TorchVersion, int Threads);

/// <summary>
/// Runs bench/pytorch/train_step.py (embedded in the tool) with a system Python that has PyTorch: the same model shapes,
/// batch, optimizer and timing protocol as <see cref="TrainStepTimer"/>, so both sides of a comparison come from one run.
/// </summary>
public static class PyTorchPeer
{
    /// <summary>Debian's python3-torch installs PyTorch for /usr/bin/python3.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    /// <summary>Times the peer's full and low-rank ResNet-18 steps; null with a reason where it cannot run (no Python, no torch).</summary>
    public static (IReadOnlyList<PeerTiming>? Timings, string? Problem) Measure(string python, int batch, int warmup, int steps, double ratio, int threads)
    {
        var (lines, problem) = Run(python, ["--batch", $"{batch}", "--warmup", $"{warmup}", "--steps", $"{steps}", "--ratio", $"{ratio:R}", "--threads", $"{threads}"]);
        return lines is null ? (null, problem) : (lines.Select(Timing).ToList(), null);
    }

    /// <summary>Times the peer's full and low-rank Transformer language model steps (the same shapes as ours); null with a reason where it cannot run.</summary>
    public static (IReadOnlyList<PeerTiming>? Timings, string? Problem) MeasureTransformer(string python, int vocabulary, int positions, int batch,
        int warmup, int steps, double ratio, int threads)
    {
        var (lines, problem) = Run(python, ["--vocabulary", $"{vocabulary}", "--positions", $"{positions}", "--batch", $"{batch}", "--warmup", $"{warmup}",
            "--steps", $"{steps}", "--ratio", $"{ratio:R}", "--threads", $"{threads}"]);
        return lines is null ? (null, problem) : (lines.Select(Timing).ToList(), null);
    }

    static PeerTiming Timing(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new PeerTiming(root.GetProperty("model").GetString()!, root.GetProperty("ms_per_step").GetDouble(),
            root.GetProperty("torch").GetString()!, root.GetProperty("threads").GetInt32());
    }

    /// <summary>The peer's federated rounds (the authors' client loop) over clients of the given sizes: ms per trained sample of each round.</summary>
    public static (IReadOnlyList<double>? PerSample, string? Problem) MeasureRounds(string python, int batch, double ratio, int threads, IReadOnlyList<int> clientSizes, int rounds)
    {
        var (lines, problem) = Run(python, ["--batch", $"{batch}", "--ratio", $"{ratio:R}", "--threads", $"{threads}",
            "--round-sizes", string.Join(",", clientSizes), "--rounds", $"{rounds}", "--fmnist", Data.FashionMnist.DefaultDirectory]);
        if (lines is null) return (null, problem);
        using var json = JsonDocument.Parse(lines.Single());
        return (json.RootElement.GetProperty("ms_per_sample").EnumerateArray().Select(e => e.GetDouble()).ToList(), null);
    }

    /// <summary>Runs the embedded script with <paramref name="arguments"/>; its JSON lines, or why there are none.</summary>
    static (IReadOnlyList<string>? Lines, string? Problem) Run(string python, string[] arguments)
    {
        if (!File.Exists(python) && python.Contains('/')) return (null, $"{python} not found (Debian: apt-get install python3-torch)");
        string script = Path.Combine(Path.GetTempPath(), $"fedlmt-train-step-{Environment.ProcessId}.py");
        using (var resource = typeof(PyTorchPeer).Assembly.GetManifestResourceStream("bench/train_step.py")
            ?? throw new InvalidOperationException("the peer script is not embedded in this build"))
        using (var file = File.Create(script))
            resource.CopyTo(file);
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            foreach (var a in arguments) start.ArgumentList.Add(a);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
            var errors = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith('{')) lines.Add(line);
            process.WaitForExit();
            if (process.ExitCode != 0)
                return (null, $"{python} exited {process.ExitCode}: {errors.Result.Trim().Split('\n').LastOrDefault()}");
            return (lines, null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"could not start {python}: {e.Message}");
        }
        finally
        {
            File.Delete(script);
        }
    }
}
