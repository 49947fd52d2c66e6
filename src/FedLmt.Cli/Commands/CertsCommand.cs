using System.ComponentModel;
using FedLmt.Grpc;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>`fedlmt certs`: a development CA with server and client certificates, and a bearer token, for trying deployment.</summary>
public sealed class CertsCommand : Command<CertsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for ca.crt/key, server.crt/key, client.crt/key and token.txt.")]
        public string? Out { get; init; }

        [CommandOption("--host <NAME>")]
        [Description("Another name or IP address the server certificate is valid for (repeatable); localhost, 127.0.0.1 and ::1 always are.")]
        public string[] Hosts { get; init; } = [];

        [CommandOption("--days <N>")]
        [Description("Validity in days.")]
        [DefaultValue(365)]
        public int Days { get; init; } = 365;

        [CommandOption("--force")]
        [Description("Replace certificates already in the folder.")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            Out is null ? ValidationResult.Error("--out DIR is required")
            : Days < 1 ? ValidationResult.Error($"--days {Days}: must be >= 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string dir = settings.Out!;
        var existing = DevelopmentCertificates.Files.Where(f => File.Exists(Path.Combine(dir, f))).ToList();
        if (existing.Count > 0 && !settings.Force)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {dir} already holds {string.Join(", ", existing)}; pass --force to replace them");
            return 2;
        }
        DevelopmentCertificates.Create(dir, settings.Hosts, settings.Days);
        string tokenPath = Path.Combine(dir, "token.txt");
        if (!File.Exists(tokenPath) || settings.Force) PrivateFile.WriteAllText(tokenPath, BearerTokens.NewToken() + "\n");
        var table = new Table().AddColumns("file", "what");
        table.AddRow("ca.crt / ca.key", "development CA (clients trust ca.crt; keep ca.key private)");
        table.AddRow("server.crt / server.key", $"server certificate for localhost, 127.0.0.1, ::1{string.Concat(settings.Hosts.Select(h => ", " + Markup.Escape(h)))}");
        table.AddRow("client.crt / client.key", "client certificate (for a server run with --require-client-cert)");
        table.AddRow("token.txt", "a shared bearer token (server --tokens token.txt, client --token-file token.txt)");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]fedlmt server --certs {dir} --tokens {tokenPath} ...; fedlmt client --certs {dir} --token-file {tokenPath} ...[/]");
        return 0;
    }
}
