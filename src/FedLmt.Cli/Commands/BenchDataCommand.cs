using System.ComponentModel;
using FedLmt.Cli.Bench;
using FedLmt.Data;
using FedLmt.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt bench data`: batch production speed of the loader against a small-CNN training step.</summary>
public sealed class BenchDataCommand : Command<BenchDataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--batch")]
        [Description("Batch size.")]
        [DefaultValue(64)]
        public int Batch { get; init; } = 64;

        [CommandOption("--epochs")]
        [Description("Timed epochs over the embedded Fashion-MNIST train set (12,000 images).")]
        [DefaultValue(5)]
        public int Epochs { get; init; } = 5;

        public override ValidationResult Validate() =>
            Batch < 1 ? ValidationResult.Error($"--batch {Batch}: must be >= 1")
            : Epochs < 1 ? ValidationResult.Error($"--epochs {Epochs}: must be >= 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var loader = LoaderBenchmark.Run(batchSize: settings.Batch, epochs: settings.Epochs);
        using var cnn = ModelFactory.Create(new ModelSpec { Architecture = "cnn", InChannels = 1, Height = 28, Width = 28 }, seed: 1);
        var step = TrainStepTimer.Measure(cnn, [settings.Batch, 1, 28, 28], 10, warmup: 3, steps: 10);

        var table = new Table().AddColumns("what", "ms per batch", "x faster than a CNN step");
        table.AddRow("small CNN training step", $"{step.MillisecondsPerStep:F3}", "");
        table.AddRow("batch, shuffle + normalize", $"{loader.PlainMillisecondsPerBatch:F3}", $"{step.MillisecondsPerStep / loader.PlainMillisecondsPerBatch:F0}x");
        table.AddRow($"batch, + crop pad {loader.Augmentation.CropPadding} + flip", $"{loader.AugmentedMillisecondsPerBatch:F3}",
            $"{step.MillisecondsPerStep / loader.AugmentedMillisecondsPerBatch:F0}x");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]{loader.Dataset}, batch {loader.BatchSize}, {loader.Batches} batches per mode, {loader.ManagedBytesPerBatch:F0} managed bytes per batch[/]");
        return 0;
    }
}
