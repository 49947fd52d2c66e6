using System.Collections.Concurrent;
using System.Diagnostics;

namespace FedLmt.Cli.Bench;

/// <summary>A `fedlmt` child process whose output is drained (so it never blocks on a full pipe) and whose last lines are kept for error messages.</summary>
public sealed class FedlmtChild : IDisposable
{
    readonly ConcurrentQueue<string> _lines = new();

    FedlmtChild(ProcessStartInfo info)
    {
        Process = Process.Start(info) ?? throw new InvalidOperationException("could not start fedlmt");
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is null) return;
            _lines.Enqueue(e.Data);
            while (_lines.Count > 40) _lines.TryDequeue(out string? _);
        };
        Process.OutputDataReceived += keep;
        Process.ErrorDataReceived += keep;
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    /// <summary>Starts `fedlmt ARGS` (this build of the tool) with its output drained.</summary>
    public static FedlmtChild Start(IEnumerable<string> args, bool redirectInput = false)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardInput = redirectInput, RedirectStandardError = true, RedirectStandardOutput = true,
        };
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new FedlmtChild(info);
    }

    public Process Process { get; }

    public string Tail => _lines.IsEmpty ? "(no output)" : string.Join("\n", _lines);

    /// <summary>The child's resident memory now (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ProcessMemory.ResidentBytesOf(Process.Id);

    public void Dispose() => Process.Dispose();
}
