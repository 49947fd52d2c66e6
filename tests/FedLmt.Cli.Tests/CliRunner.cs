using Spectre.Console;

namespace FedLmt.Cli.Tests;

/// <summary>Runs the real command tree in-process with the console captured.</summary>
static class CliRunner
{
    static readonly object ConsoleLock = new();

    public static (int ExitCode, string Output) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var writer = new StringWriter();
            var previous = AnsiConsole.Console;
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(writer),
                Interactive = InteractionSupport.No,
            });
            console.Profile.Width = 200;
            try
            {
                int code = CliApp.Create(console).Run(args);
                return (code, writer.ToString());
            }
            finally
            {
                AnsiConsole.Console = previous;
            }
        }
    }
}
