using System.ComponentModel;
using System.Globalization;
using FedLmt.Data;
using FedLmt.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt partition`: splits a dataset over clients, prints per-client counts, writes partition.json and partition.png.</summary>
public sealed class PartitionCommand : Command<PartitionCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset")]
        [Description("Dataset spec: fmnist-embedded, fmnist[[:PATH]], mnist:PATH, cifar10:PATH, cifar100:PATH, cifar100-coarse:PATH, svhn:PATH, imagefolder:PATH; text (a window's label is its source): moby-dick, wikitext2:PATH, sotu:PATH[[?by=president|party|address]].")]
        [DefaultValue(DatasetResolver.DefaultSpec)]
        public string Dataset { get; init; } = DatasetResolver.DefaultSpec;

        [CommandOption("--clients")]
        [Description("Number of clients.")]
        [DefaultValue(20)]
        public int Clients { get; init; } = 20;

        [CommandOption("--scheme")]
        [Description("iid, shards (pathological non-IID), dirichlet; for text also contiguous (the authors' stream split) and by_source (one client per source).")]
        [DefaultValue("dirichlet")]
        public string Scheme { get; init; } = "dirichlet";

        [CommandOption("--alpha")]
        [Description("Dirichlet concentration (dirichlet scheme).")]
        [DefaultValue(0.5)]
        public double Alpha { get; init; } = 0.5;

        [CommandOption("--shards")]
        [Description("Classes (one shard each) per client (shards scheme).")]
        [DefaultValue(2)]
        public int Shards { get; init; } = 2;

        [CommandOption("--min-samples")]
        [Description("Dirichlet redraws until every client has at least this many training samples.")]
        [DefaultValue(10)]
        public int MinSamples { get; init; } = 10;

        [CommandOption("--seed")]
        [Description("Seed; the same seed gives the same partition.")]
        [DefaultValue(1L)]
        public long Seed { get; init; } = 1;

        [CommandOption("--out")]
        [Description("Folder for partition.json and partition.png (nothing is written without it).")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            try
            {
                _ = ToPartitionSettings();
                return ValidationResult.Success();
            }
            catch (ArgumentException ex)
            {
                return ValidationResult.Error(UserMessage(ex));
            }
        }

        /// <summary>The validated partition settings these options describe.</summary>
        public PartitionSettings ToPartitionSettings() =>
            new(PartitionSettings.ParseScheme(Scheme), Clients, Seed, Alpha, Shards, MinSamples);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var partitionSettings = settings.ToPartitionSettings();
            var data = DatasetResolver.Resolve(settings.Dataset);
            AnsiConsole.MarkupLineInterpolated(
                $"[grey]{data.Train.Name}: {data.Train.Count} train, {data.Test.Count} test, {data.ClassCount} classes; {partitionSettings}[/]");
            var partition = FederatedPartitioner.Partition(data, partitionSettings);
            var stats = PartitionStatistics.Compute(data, partition);
            AnsiConsole.Write(BuildTable(stats));
            var clients = Enumerable.Range(0, stats.ClientCount).ToArray();
            AnsiConsole.MarkupLineInterpolated(
                $"train samples per client {clients.Min(stats.TrainCount)}..{clients.Max(stats.TrainCount)}, classes per client {clients.Average(stats.ClassesHeld):F1} on average");

            if (settings.Out is { } outDir)
            {
                var jsonPath = Path.Combine(outDir, "partition.json");
                var pngPath = Path.Combine(outDir, "partition.png");
                AtomicFile.WriteAllText(jsonPath, stats.ToJson());
                new HeatMapChart(
                    $"{stats.Dataset}: {partitionSettings}",
                    stats.TrainMatrix(),
                    [.. Enumerable.Range(0, stats.ClientCount).Select(k => k.ToString(CultureInfo.InvariantCulture))],
                    stats.ClassNames)
                {
                    XLabel = "class",
                    YLabel = "client",
                    ColorBarLabel = "training samples",
                }.SavePng(pngPath);
                AnsiConsole.MarkupLineInterpolated($"wrote [bold]{jsonPath}[/] and [bold]{pngPath}[/]");
            }
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {UserMessage(ex)}");
            return 1;
        }
    }

    private static Table BuildTable(PartitionStatistics stats)
    {
        // Short headers and no borders keep ten class columns within an 80-column terminal.
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in new[] { "#", "train", "test", "cls" })
        {
            table.AddColumn(Narrow(new TableColumn(header).RightAligned()));
        }
        // One narrow column per class (headed by its index, named in the caption) fits up to a dozen classes in
        // 80 columns; beyond that show each client's largest classes.
        var perClass = stats.ClassNames.Count <= 12;
        if (perClass)
        {
            for (var c = 0; c < stats.ClassNames.Count; c++)
            {
                table.AddColumn(Narrow(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned()));
            }
            table.Caption(Markup.Escape(
                "# client, cls classes held; 0.." + (stats.ClassNames.Count - 1) + " training samples of class " +
                string.Join(", ", stats.ClassNames.Select((name, c) => $"{c} {name}"))));
        }
        else
        {
            table.AddColumn("largest classes (train)");
        }
        for (var k = 0; k < stats.ClientCount; k++)
        {
            var cells = new List<string>
            {
                k.ToString(CultureInfo.InvariantCulture),
                stats.TrainCount(k).ToString(CultureInfo.InvariantCulture),
                stats.TestCount(k).ToString(CultureInfo.InvariantCulture),
                stats.ClassesHeld(k).ToString(CultureInfo.InvariantCulture),
            };
            var histogram = stats.TrainHistogram[k];
            if (perClass)
            {
                cells.AddRange(histogram.Select(n => n == 0 ? "[grey]0[/]" : n.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                cells.Add(Markup.Escape(string.Join(", ", Enumerable.Range(0, histogram.Length)
                    .Where(c => histogram[c] > 0).OrderByDescending(c => histogram[c]).Take(4)
                    .Select(c => $"{stats.ClassNames[c]} {histogram[c]}"))));
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    private static TableColumn Narrow(TableColumn column) => column.NoWrap().PadLeft(1).PadRight(0);

    // ArgumentException appends "(Parameter 'x')" and "Actual value was ..." to the message; the text before says it all.
    private static string UserMessage(Exception ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
