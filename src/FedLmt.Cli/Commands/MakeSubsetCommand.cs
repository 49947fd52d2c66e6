using System.ComponentModel;
using FedLmt.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt data make-subset`: rebuilds the embedded Fashion-MNIST subset (gzip IDX + SHA256SUMS) from the full dataset.</summary>
public sealed class MakeSubsetCommand : Command<MakeSubsetCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--source")]
        [Description("Folder with the full Fashion-MNIST IDX files.")]
        [DefaultValue(FashionMnist.DefaultDirectory)]
        public string Source { get; init; } = FashionMnist.DefaultDirectory;

        [CommandOption("--out")]
        [Description("Output folder (the repository's data/fashion-mnist-subset is what the library embeds).")]
        [DefaultValue("data/fashion-mnist-subset")]
        public string Out { get; init; } = "data/fashion-mnist-subset";

        [CommandOption("--train-per-class")]
        [Description("Training images kept per class.")]
        [DefaultValue(FashionMnist.SubsetTrainPerClass)]
        public int TrainPerClass { get; init; } = FashionMnist.SubsetTrainPerClass;

        [CommandOption("--test-per-class")]
        [Description("Test images kept per class.")]
        [DefaultValue(FashionMnist.SubsetTestPerClass)]
        public int TestPerClass { get; init; } = FashionMnist.SubsetTestPerClass;

        [CommandOption("--seed")]
        [Description("Seed of the stratified selection; the embedded subset uses the default.")]
        [DefaultValue(FashionMnistSubsetBuilder.DefaultSeed)]
        public long Seed { get; init; } = FashionMnistSubsetBuilder.DefaultSeed;

        public override ValidationResult Validate() =>
            TrainPerClass < 1 ? ValidationResult.Error($"--train-per-class {TrainPerClass}: must be >= 1")
            : TestPerClass < 1 ? ValidationResult.Error($"--test-per-class {TestPerClass}: must be >= 1")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: a folder is required")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var result = FashionMnistSubsetBuilder.Build(
                settings.Source, settings.Out, settings.TrainPerClass, settings.TestPerClass, settings.Seed);
            PrintWritten(result.Files, $"{result.TrainCount} train and {result.TestCount} test images", result.Directory);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {UserMessage(ex)}");
            return 1;
        }
    }

    /// <summary>The files an embedded-data builder wrote, with their checksums, and what to do next.</summary>
    internal static void PrintWritten(IEnumerable<KeyValuePair<string, string>> files, string what, string directory)
    {
        var table = new Table().AddColumns("file", "sha256");
        foreach (var (file, hash) in files) table.AddRow(Markup.Escape(file), hash);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"wrote {what} to [bold]{directory}[/] with {ChecksumManifest.FileName}; rebuild FedLmt.Data to embed them.");
    }

    // ArgumentException appends "(Parameter 'x')" and "Actual value was ..." to the message; the text before says it all.
    private static string UserMessage(Exception ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
