namespace FedLmt.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public void Help_lists_the_commands_with_their_descriptions()
    {
        var (code, output) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("bench", output);
        var (benchCode, benchHelp) = CliRunner.Run("bench", "--help");
        Assert.Equal(0, benchCode);
        Assert.Contains("models", benchHelp);
        Assert.Contains("Training-step throughput", benchHelp);
    }

    [Theory]
    [InlineData("simulate")]
    [InlineData("compare")]
    [InlineData("server")]
    [InlineData("client")]
    [InlineData("certs")]
    [InlineData("partition")]
    [InlineData("data", "make-subset")]
    [InlineData("data", "moby-dick")]
    [InlineData("bench", "models")]
    [InlineData("bench", "transformer")]
    [InlineData("bench", "engine")]
    [InlineData("bench", "grpc")]
    [InlineData("bench", "hosts")]
    [InlineData("bench", "data")]
    public void Every_command_explains_itself(params string[] command)
    {
        // A help text is markup to the terminal: a bracket such as "fmnist[:PATH]" must be escaped or --help fails.
        var (code, output) = CliRunner.Run([.. command, "--help"]);
        Assert.True(code == 0, output);
        Assert.Contains("OPTIONS:", output);
    }

    [Theory]
    [InlineData("--batch", "0", "--batch 0: must be >= 1")]
    [InlineData("--steps", "-2", "--steps -2: must be >= 1")]
    [InlineData("--ratio", "0", "--ratio 0: must be a finite number > 0")]
    public void A_bad_option_value_is_refused_naming_the_option_and_what_is_allowed(string option, string value, string message)
    {
        var (code, output) = CliRunner.Run("bench", "models", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void An_unknown_option_is_refused_by_name()
    {
        var (code, output) = CliRunner.Run("bench", "models", "--bogus", "3");
        Assert.NotEqual(0, code);
        Assert.Contains("bogus", output);
    }
}
