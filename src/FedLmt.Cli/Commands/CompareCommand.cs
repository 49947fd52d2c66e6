using System.ComponentModel;
using FedLmt.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt compare`: FedAvg (all / excluded), FedLMT, pFedLMT and the baselines on one config - same data, tiers and
/// seed - with a table in the terminal, comparison.csv/md and overlaid accuracy plots; rerunnable and resumable.
/// </summary>
public sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : RunConfigSettings
    {
        [CommandOption("-a|--arms <LIST>")]
        [Description("Comma-separated algorithms to compare (default: fedavg-all, fedavg-excluded, fedlmt, pfedlmt, heterofl, fedrolex, fedhm; a language model leaves out heterofl and fedrolex, whose width sub-models are defined for images only).")]
        public string? Arms { get; init; }

        [CommandOption("--runs <LIST>")]
        [Description("Instead of running arms, compare runs already made (comma-separated output folders of simulate, server or compare): their table and curves side by side, each named after its folder.")]
        public string? Runs { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder (default runs/compare-<name>): one subfolder per arm, comparison.csv/md, accuracy_vs_*.png (a language model: perplexity_vs_*.png). Rerunning reads finished arms and resumes interrupted ones.")]
        public string? Out { get; init; }

        public IReadOnlyList<string> ArmList => Arms is null ? Algorithms.DefaultArms
            : Arms.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        protected override ValidationResult ValidateOptions()
        {
            var unknown = ArmList.Where(a => !Algorithms.Contains(a)).ToList();
            if (ArmList.Count == 0 || unknown.Count > 0)
                return ValidationResult.Error($"--arms {Arms}: {(unknown.Count > 0 ? $"unknown {string.Join(", ", unknown)}" : "empty")}; allowed: {string.Join(", ", Algorithms.Names)}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Runs is not null) return Gather(settings);
        RunConfig config;
        ComparisonRunner runner;
        try
        {
            config = settings.LoadConfig();
            runner = new ComparisonRunner(config, settings.Out ?? Path.Combine("runs", $"compare-{config.Name}"), settings.Arms is null ? null : settings.ArmList, new ConsoleWarningLogger());
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
            AnsiConsole.MarkupLine("[yellow]Ctrl-C: finishing this round, saving a checkpoint, then exiting; rerun the same command to continue.[/]");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]compare[/] {string.Join(", ", runner.Arms)} on {config.Dataset}: {config.Model.Architecture}, {config.Federated.NumClients} clients, {config.Federated.Rounds} rounds, seed {config.Seed} -> {runner.Directory}");
            settings.StartRuntime();
            ComparisonReport report = null!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var tasks = runner.Arms.ToDictionary(a => a, a => ctx.AddTask($"{a}: waiting", autoStart: false, maxValue: config.Federated.Rounds));
                    void Starting(string arm, ArmStatus status)
                    {
                        tasks[arm].StartTask();
                        tasks[arm].Description = status switch
                        {
                            ArmStatus.Reused => $"{arm}: finished earlier, reading its results",
                            ArmStatus.Resumed => $"{arm}: resuming",
                            _ => $"{arm}: preparing",
                        };
                    }
                    var progress = new SynchronousProgress<(string Arm, RoundRecord Round)>(p =>
                    {
                        var task = tasks[p.Arm];
                        string acc = p.Round.ClientMeanAccuracy is double a ? $", client acc {a:P1}" : "";
                        task.Description = $"{p.Arm}: round {p.Round.Round}/{config.Federated.Rounds}{acc}";
                        task.Value = p.Round.Round;
                    });
                    report = runner.Run(Starting, progress, cancel.Token);
                    foreach (var arm in report.Arms)
                    {
                        var task = tasks[arm.Arm];
                        task.Description = $"{arm.Arm}: {ComparisonReport.Status(arm.Status)}";
                        task.Value = arm.Summary?.RoundsCompleted ?? 0;
                        task.StopTask();
                    }
                });
            PrintReport(report);
            return report.Interrupted ? 130 : report.AnyFailed ? 1 : 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    static int Gather(Settings settings)
    {
        if (settings.Config is not null || settings.Preset is not null || settings.Set.Length > 0 || settings.Arms is not null)
        {
            AnsiConsole.MarkupLine("[red]error:[/] --runs compares finished runs as they are: it takes no --config, --preset, --set or --arms");
            return 2;
        }
        if (settings.Out is null)
        {
            AnsiConsole.MarkupLine("[red]error:[/] --runs needs --out DIR for the comparison's table and plots");
            return 2;
        }
        try
        {
            var report = ComparisonRunner.Gather(settings.Out, settings.Runs!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            PrintReport(report);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
    }

    static void PrintReport(ComparisonReport report)
    {
        var table = new Table();
        for (int i = 0; i < ComparisonReport.Columns.Count; i++)
        {
            var column = new TableColumn(ComparisonReport.Columns[i]);
            if (i >= 2) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in report.Rows()) table.AddRow(row.Select(c => Markup.Escape(c)).ToArray());
        AnsiConsole.Write(table);
        foreach (var arm in report.Arms.Where(a => a.Error is not null))
            AnsiConsole.MarkupLineInterpolated($"[red]{arm.Arm} failed:[/] {arm.Error}");
        if (report.Interrupted)
            AnsiConsole.MarkupLine("[yellow]interrupted: rerun the same command to resume; finished arms are not recomputed.[/]");
        string runs = report.Arms.All(a => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(a.Directory)) == Path.TrimEndingDirectorySeparator(report.Directory))
            ? $"; each arm's run in its own subfolder of {report.Directory}" : "";
        AnsiConsole.MarkupLineInterpolated($"[grey]table: {report.CsvPath}, {report.MarkdownPath}; plots: {string.Join(", ", report.PlotPaths.Select(Path.GetFileName))}{runs}[/]");
    }
}
