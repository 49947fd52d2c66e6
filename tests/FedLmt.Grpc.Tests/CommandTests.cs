using FedLmt.Cli;
using Spectre.Console;

namespace FedLmt.Grpc.Tests;

/// <summary>The deployment commands in-process: certs writes usable files; server and client refuse bad options by name.</summary>
public class CommandTests
{
    static readonly object ConsoleLock = new();

    internal static (int Code, string Output) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var writer = new StringWriter();
            var previous = AnsiConsole.Console;
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.No,
            });
            console.Profile.Width = 200;
            try { return (CliApp.Create(console).Run(args), writer.ToString()); }
            finally { AnsiConsole.Console = previous; }
        }
    }

    [Fact]
    public void Certs_writes_the_servers_files_and_one_bundle_per_client_and_refuses_to_overwrite_them()
    {
        using var dir = new TempDirectory();
        var (code, output) = Run("certs", "--out", dir.Path, "--clients", "3", "--host", "10.1.2.3");
        Assert.True(code == 0, output);
        foreach (var f in DevelopmentCertificates.ServerFiles) Assert.True(File.Exists(Path.Combine(dir.Path, f)), f);
        Assert.Equal(["0", "1", "2"], Directory.GetDirectories(Path.Combine(dir.Path, "clients")).Select(Path.GetFileName).Order());
        using var server = TlsFiles.LoadWithKey(Path.Combine(dir.Path, "server.crt"), Path.Combine(dir.Path, "server.key"));
        Assert.True(server.MatchesHostname("10.1.2.3"));
        // The old shared token and top-level client certificate are gone: nothing in the folder admits any id.
        Assert.False(File.Exists(Path.Combine(dir.Path, "token.txt")));
        Assert.False(File.Exists(Path.Combine(dir.Path, "client.crt")));

        (code, output) = Run("certs", "--out", dir.Path, "--clients", "3");
        Assert.Equal(2, code);
        Assert.Contains("--force", output);

        // --force with fewer clients leaves no stale bundle whose token no server accepts.
        string oldToken = File.ReadAllText(Path.Combine(DevelopmentCertificates.BundleDirectory(dir.Path, 0), "token.txt"));
        (code, output) = Run("certs", "--out", dir.Path, "--clients", "2", "--force");
        Assert.True(code == 0, output);
        Assert.Equal(["0", "1"], Directory.GetDirectories(Path.Combine(dir.Path, "clients")).Select(Path.GetFileName).Order());
        Assert.NotEqual(oldToken, File.ReadAllText(Path.Combine(DevelopmentCertificates.BundleDirectory(dir.Path, 0), "token.txt")));
    }

    [Theory]
    [InlineData("", "--clients N is required")]
    [InlineData("--clients 0", "--clients 0: must be between 1 and 100000")]
    public void Certs_needs_a_client_count(string extra, string message)
    {
        using var dir = new TempDirectory();
        var (code, output) = Run(["certs", "--out", dir.Path, .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.NotEqual(0, code);
        Assert.Contains(message, output);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ca.key")));
    }

    [Theory]
    [InlineData("--id", "7", "--id 7: the config has 3 clients (ids 0..2)")]
    [InlineData("--ids", "1-4", "--ids 3, 4: the config has 3 clients (ids 0..2)")]
    public void A_client_id_the_config_lacks_is_refused_before_the_client_starts(string option, string ids, string message)
    {
        var (code, output) = Run("client", "--server", "https://127.0.0.1:1", option, ids, "--preset", "small", "--token", TestServer.Token);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Theory]
    [InlineData("local.batch_size=0", "local.batch_size = 0 is not allowed")]
    [InlineData("dataset=cifar10:/no/such/folder", "folder /no/such/folder does not exist")]
    [InlineData("tiers=[{name: a, share: 0.5}]", "share")]
    [InlineData("model.architecture=resnet99", "model.architecture 'resnet99' is unknown")]
    [InlineData("pfedlmt.tier_ratios={strong: -1}", "pfedlmt.tier_ratios.strong = -1 is not allowed")]
    public void A_bad_config_value_is_refused_before_the_run_starts(string set, string message)
    {
        using var dir = new TempDirectory();
        var (code, output) = Run("simulate", "--set", set, "--out", Path.Combine(dir.Path, "run"));
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.DoesNotContain("libtorch:", output); // refused before the runtime started and before the run's banner
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "run")));
    }

    [Theory]
    [InlineData("server --min-replies 0", "--min-replies 0: must be >= 1")]
    [InlineData("server --round-timeout -1", "--round-timeout -1: must be > 0")]
    [InlineData("server --token abc --tokens f", "--token and --tokens")]
    [InlineData("client --id 0", "--server URL is required")]
    [InlineData("client --server https://127.0.0.1:1", "--id N is required")]
    public void A_bad_option_is_refused_naming_it(string args, string message)
    {
        var (code, output) = Run(args.Split(' '));
        Assert.NotEqual(0, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void A_server_without_a_token_does_not_start()
    {
        using var dir = new TempDirectory();
        Environment.SetEnvironmentVariable("FEDLMT_TOKEN", null);
        var (code, output) = Run("server", "--out", dir.Path, "--set", "model.architecture=mlp", "--urls", "https://127.0.0.1:0");
        Assert.Equal(2, code);
        Assert.Contains("bearer token is required", output);
    }
}
