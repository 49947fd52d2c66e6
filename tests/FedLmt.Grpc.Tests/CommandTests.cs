using FedLmt.Cli;
using Spectre.Console;

namespace FedLmt.Grpc.Tests;

/// <summary>The deployment commands in-process: certs writes usable files; server and client refuse bad options by name.</summary>
public class CommandTests
{
    static readonly object ConsoleLock = new();

    static (int Code, string Output) Run(params string[] args)
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
    public void Certs_writes_a_CA_server_and_client_certificates_and_a_token_and_refuses_to_overwrite_them()
    {
        using var dir = new TempDirectory();
        var (code, output) = Run("certs", "--out", dir.Path, "--host", "10.1.2.3");
        Assert.True(code == 0, output);
        foreach (var f in DevelopmentCertificates.Files.Append("token.txt")) Assert.True(File.Exists(Path.Combine(dir.Path, f)), f);
        using var server = TlsFiles.LoadWithKey(Path.Combine(dir.Path, "server.crt"), Path.Combine(dir.Path, "server.key"));
        Assert.True(server.MatchesHostname("10.1.2.3"));
        Assert.True(BearerTokens.FromFile(Path.Combine(dir.Path, "token.txt")).Accepts(File.ReadAllText(Path.Combine(dir.Path, "token.txt")).Trim(), out var id));
        Assert.Null(id);

        (code, output) = Run("certs", "--out", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains("--force", output);
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
