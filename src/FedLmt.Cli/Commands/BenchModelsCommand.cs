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

        public override ValidationResult Validate() =>
            Batch < 1 ? ValidationResult.Error($"--batch {Batch}: must be >= 1")
            : Steps < 1 ? ValidationResult.Error($"--steps {Steps}: must be >= 1")
            : Warmup < 0 ? ValidationResult.Error($"--warmup {Warmup}: must be >= 0")
            : !(Ratio > 0 && double.IsFinite(Ratio)) ? ValidationResult.Error($"--ratio {Ratio}: must be a finite number > 0")
            : ValidationResult.Success();
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
        return 0;
    }
}
