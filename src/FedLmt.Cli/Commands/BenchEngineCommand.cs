using System.ComponentModel;
using FedLmt.Cli.Bench;
using FedLmt.Federated;
using FedLmt.Models;
using FedLmt.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt bench engine`: engine vs bare-loop training throughput, aggregation time, and memory over a long run.</summary>
public sealed class BenchEngineCommand : Command<BenchEngineCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--samples")]
        [Description("Training samples of the benchmarked client.")]
        [DefaultValue(1024)]
        public int Samples { get; init; } = 1024;

        [CommandOption("--repetitions")]
        [Description("Timed repetitions (median reported).")]
        [DefaultValue(3)]
        public int Repetitions { get; init; } = 3;

        [CommandOption("--memory-rounds")]
        [Description("Rounds of the memory run (sampled at round 5 and at the last); 0 skips it.")]
        [DefaultValue(50)]
        public int MemoryRounds { get; init; } = 50;

        public override ValidationResult Validate() =>
            Samples < 64 ? ValidationResult.Error($"--samples {Samples}: must be >= 64")
            : Repetitions < 1 ? ValidationResult.Error($"--repetitions {Repetitions}: must be >= 1")
            : MemoryRounds != 0 && MemoryRounds < 6 ? ValidationResult.Error($"--memory-rounds {MemoryRounds}: must be 0 or >= 6")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var input = new ModelSpec { InChannels = 1, Height = 28, Width = 28, NumClasses = 10 };
        var throughput = new Table().AddColumns("model (batch 64)", "bare loop samples/s", "engine samples/s", "engine / bare");
        foreach (var spec in new[] { input with { Architecture = "cnn" }, input with { Architecture = "cnn", Ratio = 0.3 },
                                     input with { Architecture = "resnet18", WidthMultiplier = 0.25, Ratio = 0.2 } })
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]timing {spec}...[/]");
            var r = EngineThroughput.Measure(spec, settings.Samples, 64, settings.Repetitions);
            throughput.AddRow(Markup.Escape(r.Model), $"{r.BareSamplesPerSecond:F0}", $"{r.EngineSamplesPerSecond:F0}", $"{r.Ratio:F3}");
        }
        AnsiConsole.Write(throughput);

        var aggregation = AggregationBenchmark.Measure(clients: 10, spec: new ModelSpec { Architecture = "resnet18" }, repetitions: 5);
        AnsiConsole.MarkupLineInterpolated(
            $"aggregation of {aggregation.Clients} updates of {aggregation.Elements:N0} elements: median [bold]{aggregation.MedianMs:F1} ms[/] (min {aggregation.MinMs:F1}, max {aggregation.MaxMs:F1})");

        if (settings.MemoryRounds > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]memory: {settings.MemoryRounds} rounds of the main job with an MLP...[/]");
            var config = ConfigLoader.Parse("{}", ["model.architecture=mlp", "evaluation.every=5", "checkpoint.every=5"]);
            var m = MemoryFlatness.Measure(config, 5, settings.MemoryRounds);
            AnsiConsole.MarkupLineInterpolated(
                $"live tensors round {m.EarlyRound}: {m.EarlyTensors:N0}, round {m.LateRound}: {m.LateTensors:N0} ([bold]{Change(m.EarlyTensors, m.LateTensors)}[/]); RSS {m.EarlyRssBytes / 1048576.0:F0} MB -> {m.LateRssBytes / 1048576.0:F0} MB ([bold]{Change(m.EarlyRssBytes, m.LateRssBytes)}[/])");
        }
        return 0;
    }

    static string Change(long from, long to) => from == 0 ? "n/a" : $"{(double)(to - from) / from:+0.0%;-0.0%;0.0%}";
}
