using System.ComponentModel;
using FedLmt.Cli.Bench;
using FedLmt.Cost;
using FedLmt.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt bench models`: training-step throughput of full vs low-rank ResNet-18 and the small CNN's framework overhead.</summary>
public sealed class BenchModelsCommand : Command<BenchModelsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--batch")]
        [Description("Batch size of a training step.")]
        [DefaultValue(64)]
        public int Batch { get; init; } = 64;

        [CommandOption("--steps")]
        [Description("Timed steps per pass (three passes; the median is reported).")]
        [DefaultValue(5)]
        public int Steps { get; init; } = 5;

        [CommandOption("--warmup")]
        [Description("Untimed steps first.")]
        [DefaultValue(2)]
        public int Warmup { get; init; } = 2;

        [CommandOption("--ratio")]
        [Description("Rank ratio of the low-rank ResNet-18.")]
        [DefaultValue(0.2)]
        public double Ratio { get; init; } = 0.2;

        [CommandOption("--peer")]
        [Description("Python with PyTorch for the side-by-side peer (bench/pytorch/train_step.py: the same shapes, batch, optimizer and timing); 'none' skips it. Debian: apt-get install python3-torch.")]
        [DefaultValue(PyTorchPeer.DefaultPython)]
        public string Peer { get; init; } = PyTorchPeer.DefaultPython;

        [CommandOption("--repeat")]
        [Description("Alternating runs of ours and the peer's ResNet-18 timings (the median of each side is compared).")]
        [DefaultValue(1)]
        public int Repeat { get; init; } = 1;

        [CommandOption("--round")]
        [Description("Also time whole FL rounds of the low-rank ResNet-18 (10 clients, 7,161 Fashion-MNIST samples) through the engine, and the peer's client loop on the same sizes.")]
        public bool Round { get; init; }

        [CommandOption("--rounds")]
        [Description("Rounds of --round (the first is a warm-up; the mean of the others is compared).")]
        [DefaultValue(3)]
        public int Rounds { get; init; } = 3;

        public override ValidationResult Validate() =>
            Rounds < 2 ? ValidationResult.Error($"--rounds {Rounds}: must be >= 2 (the first is a warm-up)")
            : StepOptions.Check(Batch, Steps, Warmup, Repeat, Ratio) ?? ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var runtime = TorchRuntime.EnsureInitialized();
        AnsiConsole.MarkupLineInterpolated($"[grey]libtorch: {runtime}; {TorchSharp.torch.get_num_threads()} threads[/]");
        var input = new ModelSpec { Architecture = "resnet18", InChannels = 1, Height = 28, Width = 28, NumClasses = 10 };
        var table = new Table().AddColumns("model", "params", "MACs/sample", "ms/step", "samples/s", "managed alloc/step");
        var results = new List<(string Name, ModelCost Cost, StepTiming Timing)>();

        foreach (var (name, spec) in new[]
        {
            ("resnet18 full", input),
            ($"resnet18 low-rank {settings.Ratio} from (0,0)", input with { Ratio = settings.Ratio }),
            ("cnn full", input with { Architecture = "cnn" }),
        })
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]timing {name} (batch {settings.Batch})...[/]");
            using var model = ModelFactory.Create(spec, seed: 1);
            var cost = ModelCost.Measure(model);
            var timing = TrainStepTimer.Measure(model, [settings.Batch, 1, 28, 28], 10, settings.Warmup, settings.Steps);
            results.Add((name, cost, timing));
            table.AddRow(name, $"{cost.Parameters:N0}", $"{cost.MacsPerSample:N0}", $"{timing.MillisecondsPerStep:F1}",
                $"{timing.SamplesPerSecond:F0}", $"{timing.AllocatedBytesPerStep / 1024:F1} KiB");
        }
        AnsiConsole.Write(table);

        var (full, low) = (results[0], results[1]);
        AnsiConsole.MarkupLineInterpolated(
            $"step-time ratio full/low-rank: [bold]{full.Timing.MillisecondsPerStep / low.Timing.MillisecondsPerStep:F2}x[/] (MAC ratio {(double)full.Cost.MacsPerSample / low.Cost.MacsPerSample:F2}x)");

        // Framework overhead of the small CNN: the same step on a 1-sample 4x4 input does almost no arithmetic, so its
        // time bounds what every step pays outside libtorch's kernels (P/Invoke, dispatch, dispose bookkeeping).
        using var cnn = ModelFactory.Create(input with { Architecture = "cnn", Height = 4, Width = 4 }, seed: 1);
        var tiny = TrainStepTimer.Measure(cnn, [1, 1, 4, 4], 10, settings.Warmup + 20, settings.Steps * 20);
        double share = tiny.MillisecondsPerStep / results[2].Timing.MillisecondsPerStep;
        AnsiConsole.MarkupLineInterpolated(
            $"small CNN per-step overhead bound: {tiny.MillisecondsPerStep:F3} ms of {results[2].Timing.MillisecondsPerStep:F2} ms = [bold]{share:P1}[/] ({tiny.AllocatedBytesPerStep / 1024:F1} KiB managed per step)");
        if (settings.Peer != "none") ComparePeer(settings, [(full.Name, full.Timing), (low.Name, low.Timing)], input);
        if (settings.Round) CompareRounds(settings, input with { Ratio = settings.Ratio });
        return 0;
    }

    /// <summary>Whole rounds: ours through the engine, then the peer's client loop on the same client sizes.</summary>
    static void CompareRounds(Settings settings, ModelSpec spec)
    {
        AnsiConsole.MarkupLineInterpolated($"[grey]timing {settings.Rounds} FL rounds of {spec} through the engine...[/]");
        var ours = RoundThroughput.Measure(spec, settings.Batch, settings.Rounds);
        double oursMean = ours.Skip(1).Average();
        AnsiConsole.MarkupLineInterpolated($"FedLMT.NET round: [bold]{oursMean:F2} ms per trained sample[/] (rounds 2-{settings.Rounds}: {string.Join(", ", ours.Skip(1).Select(v => v.ToString("F2")))})");
        if (settings.Peer == "none") return;
        AnsiConsole.MarkupLineInterpolated($"[grey]timing the peer's rounds ({settings.Peer})...[/]");
        var (theirs, problem) = PyTorchPeer.MeasureRounds(settings.Peer, settings.Batch, settings.Ratio, TorchSharp.torch.get_num_threads(), RoundThroughput.ClientSizes, settings.Rounds);
        if (theirs is null)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]PyTorch peer skipped: {problem}[/]");
            return;
        }
        double theirsMean = theirs.Skip(1).Average();
        AnsiConsole.MarkupLineInterpolated($"PyTorch round: [bold]{theirsMean:F2} ms per trained sample[/] (rounds 2-{settings.Rounds}: {string.Join(", ", theirs.Skip(1).Select(v => v.ToString("F2")))}); ours / PyTorch [bold]{oursMean / theirsMean:F2}x[/]");
    }

    /// <summary>
    /// Ours against the PyTorch peer on the two ResNet-18s, alternating (ours, then the peer) --repeat times; the first
    /// pass of ours is the table's. Both use the same libtorch thread count.
    /// </summary>
    static void ComparePeer(Settings settings, (string Name, StepTiming Timing)[] firstPass, ModelSpec input)
    {
        int threads = TorchSharp.torch.get_num_threads();
        var ours = firstPass.Select(p => new List<double> { p.Timing.MillisecondsPerStep }).ToArray();
        var theirs = firstPass.Select(_ => new List<double>()).ToArray();
        string version = "";
        for (int run = 0; run < settings.Repeat; run++)
        {
            if (run > 0)
                for (int m = 0; m < firstPass.Length; m++)
                {
                    using var model = ModelFactory.Create(m == 0 ? input : input with { Ratio = settings.Ratio }, seed: 1);
                    ours[m].Add(TrainStepTimer.Measure(model, [settings.Batch, 1, 28, 28], 10, settings.Warmup, settings.Steps).MillisecondsPerStep);
                }
            AnsiConsole.MarkupLineInterpolated($"[grey]timing the PyTorch peer ({settings.Peer}, run {run + 1} of {settings.Repeat})...[/]");
            var (timings, problem) = PyTorchPeer.Measure(settings.Peer, settings.Batch, settings.Warmup, settings.Steps, settings.Ratio, threads);
            if (timings is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]PyTorch peer skipped: {problem}[/]");
                return;
            }
            theirs[0].Add(timings.Single(t => t.Model == "full").MillisecondsPerStep);
            theirs[1].Add(timings.Single(t => t.Model == "lowrank").MillisecondsPerStep);
            version = $"PyTorch {timings[0].TorchVersion}, {timings[0].Threads} threads";
        }
        var table = new Table().AddColumns("model (batch " + settings.Batch + ")", "FedLMT.NET ms/step", $"{version} ms/step", "ours / PyTorch");
        for (int m = 0; m < firstPass.Length; m++)
        {
            double a = Timings.Median(ours[m]), b = Timings.Median(theirs[m]);
            table.AddRow(firstPass[m].Name, Timings.Range(ours[m]), Timings.Range(theirs[m]), $"[bold]{a / b:F2}x[/]");
        }
        AnsiConsole.Write(table);
    }
}
