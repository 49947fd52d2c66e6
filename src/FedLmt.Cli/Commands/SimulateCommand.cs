using System.ComponentModel;
using System.Reflection;
using FedLmt.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt simulate`: a federated run in this process, from a preset or a YAML file plus overrides.</summary>
public sealed class SimulateCommand : Command<SimulateCommand.Settings>
{
    public sealed class Settings : RunConfigSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder (default runs/<name>): config.yaml, results.jsonl/csv, summary.json, PNG plots, tb/, checkpoint.bin.")]
        public string? Out { get; init; }

        [CommandOption("--resume")]
        [Description("Continue the run in --out from its checkpoint; gives the numbers an uninterrupted run gives.")]
        public bool Resume { get; init; }

        [CommandOption("--keys")]
        [Description("List every config key with its default, meaning and allowed values, and exit.")]
        public bool Keys { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Keys)
        {
            // One key per entry, its meaning indented below: readable at any terminal width, and greppable.
            foreach (var key in ConfigKeys.All())
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]{key.Name}[/] (default {key.Default})");
                AnsiConsole.MarkupLineInterpolated($"    [grey]{key.Meaning}[/]");
            }
            return 0;
        }
        RunConfig config;
        try
        {
            config = settings.LoadConfig();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
        string outDir = settings.Out ?? Path.Combine("runs", config.Name);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stop = new StopSignals(cancel);
        try
        {
            var logger = new ConsoleWarningLogger();
            var runner = new SimulationRunner(config, outDir, logger);
            AnsiConsole.MarkupLineInterpolated($"[bold]{config.Name}[/]: {config.Algorithm} on {config.Dataset}, {config.Federated.NumClients} clients, {config.Federated.Rounds} rounds -> {outDir}");
            settings.StartRuntime();
            RunSummary summary = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("preparing data and model", maxValue: config.Federated.Rounds);
                    string last = "";
                    var progress = new SynchronousProgress<RoundRecord>(r =>
                    {
                        if (r.Evaluated) last = r.Perplexity is double ppl ? $", ppl {ppl:F1}" : $", acc {(r.GlobalAccuracy ?? r.ClientMeanAccuracy):P1}";
                        task.Description = $"round {r.Round}/{config.Federated.Rounds}, loss {r.TrainLoss:F3}{last}";
                        task.Value = r.Round;
                    });
                    summary = runner.Run(settings.Resume, progress, cancel.Token);
                    task.Value = summary.RoundsCompleted;
                });
            PrintSummary(summary, outDir);
            return summary.Interrupted ? 130 : 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }

    static void PrintSummary(RunSummary s, string outDir)
    {
        var table = new Table().AddColumns("", "value");
        table.AddRow("algorithm", s.Algorithm);
        table.AddRow("model", Markup.Escape(s.Model));
        table.AddRow("rounds", $"{s.RoundsCompleted} of {s.RoundsPlanned}{(s.Interrupted ? " (interrupted; --resume continues)" : "")}");
        table.AddRow("global accuracy (final / best)", $"{Pct(s.FinalGlobalAccuracy)} / {Pct(s.BestGlobalAccuracy)}");
        table.AddRow("mean client accuracy (final / best)", $"{Pct(s.FinalClientMeanAccuracy)} / {Pct(s.BestClientMeanAccuracy)}");
        if (s.FinalPerplexity is double ppl) table.AddRow("test perplexity (final / best)", $"{ppl:F1} / {s.BestPerplexity:F1}");
        table.AddRow("parameters (model / full)", $"{s.ModelParameters:N0} / {s.FullModelParameters:N0}");
        table.AddRow("bytes moved", $"{s.TotalBytes / 1e6:F1} MB");
        table.AddRow("client compute", $"{s.TotalClientMacs / 1e9:F1} GMACs");
        table.AddRow("wall time", $"{s.TotalSeconds:F1} s");
        AnsiConsole.Write(table);
        if (s.TotalBytes > 0 && s.TotalClientMacs > 0)
            AnsiConsole.MarkupLineInterpolated(
                $"vs FedAvg with the full model on the same clients: [bold]{(double)s.FedAvgEquivalentBytes / s.TotalBytes:F1}x[/] fewer bytes ({s.FedAvgEquivalentBytes / 1e6:F1} MB), [bold]{s.FedAvgEquivalentClientMacs / s.TotalClientMacs:F1}x[/] less client compute ({s.FedAvgEquivalentClientMacs / 1e9:F1} GMACs)");
        AnsiConsole.MarkupLineInterpolated($"[grey]results, plots and TensorBoard logs in {outDir}[/]");
    }

    static string Pct(double? v) => v is double x ? x.ToString("P2") : "-";
}
