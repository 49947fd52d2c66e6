using System.ComponentModel;
using FedLmt.Grpc;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>
/// `fedlmt certs`: a development CA, a server certificate, and for every client id its own bundle (CA certificate,
/// token, client certificate) - the folder a device is given holds nothing that lets it act as another id.
/// </summary>
public sealed class CertsCommand : Command<CertsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for the server's files (ca.crt/key, server.crt/key, tokens.txt) and the client bundles (clients/ID/).")]
        public string? Out { get; init; }

        [CommandOption("-n|--clients <N>")]
        [Description("Client ids 0..N-1 to issue bundles for: each gets its own token and a certificate naming it (the config's federated.num_clients).")]
        public int? Clients { get; init; }

        [CommandOption("--host <NAME>")]
        [Description("Another name or IP address the server certificate is valid for (repeatable); localhost, 127.0.0.1 and ::1 always are.")]
        public string[] Hosts { get; init; } = [];

        [CommandOption("--days <N>")]
        [Description("Validity in days.")]
        [DefaultValue(365)]
        public int Days { get; init; } = 365;

        [CommandOption("--force")]
        [Description("Replace certificates, tokens and bundles already in the folder.")]
        public bool Force { get; init; }

        public override ValidationResult Validate() =>
            Out is null ? ValidationResult.Error("--out DIR is required")
            : Clients is null ? ValidationResult.Error("--clients N is required: how many client ids (0..N-1) get their own token and certificate")
            : Clients is < 1 or > 100_000 ? ValidationResult.Error($"--clients {Clients}: must be between 1 and 100000")
            : Days < 1 ? ValidationResult.Error($"--days {Days}: must be >= 1")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string dir = settings.Out!;
        int clients = settings.Clients!.Value;
        string bundles = Path.Combine(dir, "clients");
        var existing = DevelopmentCertificates.ServerFiles.Where(f => File.Exists(Path.Combine(dir, f)))
            .Concat(Directory.Exists(bundles) ? ["clients/"] : []).ToList();
        if (existing.Count > 0 && !settings.Force)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {dir} already holds {string.Join(", ", existing)}; pass --force to replace them");
            return 2;
        }
        try
        {
            if (settings.Force) RemoveBundlesFrom(bundles, clients);
            DevelopmentCertificates.Create(dir, clients, settings.Hosts, settings.Days);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] cannot write {dir}: {e.Message}");
            return 2;
        }
        string first = DevelopmentCertificates.BundleDirectory(dir, 0);
        var table = new Table().AddColumns("file", "what");
        table.AddRow("ca.crt / ca.key", "development CA (keep ca.key off the devices)");
        table.AddRow("server.crt / server.key", $"server certificate for localhost, 127.0.0.1, ::1{string.Concat(settings.Hosts.Select(h => ", " + Markup.Escape(h)))}");
        table.AddRow(DevelopmentCertificates.TokensFile, $"one token per client id 0..{clients - 1} (server --tokens); a token admits only its own id");
        table.AddRow(Markup.Escape($"clients/ID/"), $"what device ID needs, and nothing more: ca.crt, {DevelopmentCertificates.TokenFile}, client.crt/key (CN={ClientIdentity.CommonNamePrefix}ID)");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]server: fedlmt server --certs {dir} ... (reads {DevelopmentCertificates.TokensFile} from it); copy {first} to device 0 only, then: fedlmt client --id 0 --certs {first} ...[/]");
        return 0;
    }

    /// <summary>Old bundles that the new set does not replace (ids >= <paramref name="keep"/>) would hold tokens no server accepts: removed.</summary>
    static void RemoveBundlesFrom(string bundles, int keep)
    {
        if (!Directory.Exists(bundles)) return;
        foreach (var folder in Directory.GetDirectories(bundles))
            if (int.TryParse(Path.GetFileName(folder), out int id) && id >= keep
                && Directory.GetFileSystemEntries(folder).All(f => DevelopmentCertificates.BundleFiles.Contains(Path.GetFileName(f))))
                Directory.Delete(folder, recursive: true);
    }
}
