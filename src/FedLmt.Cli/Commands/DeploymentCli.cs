using Microsoft.Extensions.Logging;

namespace FedLmt.Cli.Commands;

/// <summary>What the deployment commands share: console logging.</summary>
static class DeploymentCli
{
    /// <summary>One line per event with a timestamp: server and client are long-running services whose logs people read.</summary>
    public static void ConsoleLogging(ILoggingBuilder logging) => logging
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
        });
}
