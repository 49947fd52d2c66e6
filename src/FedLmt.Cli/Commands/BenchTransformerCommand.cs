using System.ComponentModel;
using FedLmt.Cli.Bench;
using FedLmt.Cost;
using FedLmt.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt bench transformer`: training-step time of the Transformer language model, full and low-rank, against the same
/// model in PyTorch (bench/pytorch/train_step.py --vocabulary), alternating ours and the peer's.
/// </summary>
public sealed class BenchTransformerCommand : Command<BenchTransformerCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--vocabulary")]
        [Description("Words of the vocabulary (WikiText-2's, with the end-of-line token: 33279).")]
        [DefaultValue(33279)]
        public int Vocabulary { get; init; } = 33279;

        [CommandOption("--positions")]
        [Description("Positions per window (the authors' bptt).")]
        [DefaultValue(64)]
        public int Positions { get; init; } = 64;

        [CommandOption("--batch")]
        [Description("Windows per training step.")]
        [DefaultValue(20)]
        public int Batch { get; init; } = 20;

        [CommandOption("--steps")]
        [Description("Timed steps per pass (three passes; the median is reported).")]
        [DefaultValue(3)]
        public int Steps { get; init; } = 3;

        [CommandOption("--warmup")]
        [Description("Untimed steps first.")]
        [DefaultValue(1)]
        public int Warmup { get; init; } = 1;

        [CommandOption("--ratio")]
        [Description("Rank ratio of the low-rank model (the authors': 0.2).")]
        [DefaultValue(0.2)]
        public double Ratio { get; init; } = 0.2;

        [CommandOption("--repeat")]
        [Description("Alternating runs of ours and the peer's (the median of each side is compared).")]
        [DefaultValue(1)]
        public int Repeat { get; init; } = 1;

        [CommandOption("--peer")]
        [Description("Python with PyTorch for the side-by-side peer; 'none' skips it. Debian: apt-get install python3-torch.")]
        [DefaultValue(PyTorchPeer.DefaultPython)]
        public string Peer { get; init; } = PyTorchPeer.DefaultPython;

        public override ValidationResult Validate() =>
            Vocabulary < 2 ? ValidationResult.Error($"--vocabulary {Vocabulary}: must be >= 2")
            : Positions < 1 ? ValidationResult.Error($"--positions {Positions}: must be >= 1")
            : StepOptions.Check(Batch, Steps, Warmup, Repeat, Ratio) ?? ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var runtime = TorchRuntime.EnsureInitialized();
        int threads = TorchSharp.torch.get_num_threads();
        AnsiConsole.MarkupLineInterpolated($"[grey]libtorch: {runtime}; {threads} threads[/]");
        var full = new ModelSpec { Architecture = "transformer", NumClasses = settings.Vocabulary, SequenceLength = settings.Positions };
        var models = new[] { ("full", "transformer-full", full), ($"low-rank {settings.Ratio}", "transformer-lowrank", full with { Ratio = settings.Ratio }) };
        var ours = models.Select(_ => new List<double>()).ToArray();
        var theirs = models.Select(_ => new List<double>()).ToArray();
        var costs = new ModelCost[models.Length];
        string version = "PyTorch";
        for (int run = 0; run < settings.Repeat; run++)
        {
            for (int m = 0; m < models.Length; m++)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]timing ours: {models[m].Item1} (batch {settings.Batch} x {settings.Positions}), run {run + 1} of {settings.Repeat}...[/]");
                using var model = ModelFactory.Create(models[m].Item3, seed: 1);
                costs[m] = ModelCost.Measure(model);
                ours[m].Add(TrainStepTimer.MeasureTokens(model, settings.Batch, settings.Positions, settings.Vocabulary, settings.Warmup, settings.Steps).MillisecondsPerStep);
            }
            if (settings.Peer == "none") continue;
            AnsiConsole.MarkupLineInterpolated($"[grey]timing the PyTorch peer ({settings.Peer}), run {run + 1} of {settings.Repeat}...[/]");
            var (timings, problem) = PyTorchPeer.MeasureTransformer(settings.Peer, settings.Vocabulary, settings.Positions, settings.Batch,
                settings.Warmup, settings.Steps, settings.Ratio, threads);
            if (timings is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]PyTorch peer skipped: {problem}[/]");
                break;
            }
            for (int m = 0; m < models.Length; m++) theirs[m].Add(timings.Single(t => t.Model == models[m].Item2).MillisecondsPerStep);
            version = $"PyTorch {timings[0].TorchVersion}, {timings[0].Threads} threads";
        }
        var table = new Table().AddColumns("transformer", "params", "MACs/window", "FedLMT.NET ms/step", $"{version} ms/step", "ours / PyTorch");
        for (int m = 0; m < models.Length; m++)
        {
            string ratio = theirs[m].Count == 0 ? "-" : $"[bold]{Timings.Median(ours[m]) / Timings.Median(theirs[m]):F2}x[/]";
            table.AddRow(models[m].Item1, $"{costs[m].Parameters:N0}", $"{costs[m].MacsPerSample:N0}", Timings.Range(ours[m]), theirs[m].Count == 0 ? "-" : Timings.Range(theirs[m]), ratio);
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
