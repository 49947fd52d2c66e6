using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace FedLmt.Cli;

/// <summary>Shows the library's warnings and errors (failed clients, refused updates) above the progress display.</summary>
sealed class ConsoleWarningLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string color = logLevel >= LogLevel.Error ? "red" : "yellow";
        AnsiConsole.MarkupLineInterpolated($"[{color}]{logLevel.ToString().ToLowerInvariant()}:[/] {formatter(state, exception)}");
    }
}
