using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FedLmt.Grpc.Tests;

/// <summary>A real `dotnet fedlmt.dll ...` process from the test output folder; its output is collected; disposing kills it.</summary>
sealed class FedlmtProcess : IDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _lines = new();

    public FedlmtProcess(string name, string workingDirectory, params string[] args)
    {
        Name = name;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fedlmt.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["COLUMNS"] = "200";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public string Output => string.Join("\n", _lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The first match of <paramref name="pattern"/> in the output, waiting up to <paramref name="seconds"/>.</summary>
    public Match WaitFor(string pattern, double seconds = 120)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            foreach (var line in _lines)
                if (regex.Match(line) is { Success: true } m) return m;
            if (DateTime.UtcNow > deadline || _process.HasExited && _lines.All(l => !regex.IsMatch(l)) && WaitedForOutput())
                throw new TimeoutException($"{Name} did not print /{pattern}/ (exited: {_process.HasExited}). Output:\n{Output}");
            Thread.Sleep(50);
        }
    }

    bool WaitedForOutput()
    {
        _process.WaitForExit(); // flushes the redirected streams
        return true;
    }

    /// <summary>Waits for the process to end; its exit code.</summary>
    public int WaitForExit(double seconds = 180)
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(seconds)))
            throw new TimeoutException($"{Name} did not exit within {seconds} s. Output:\n{Output}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as systemctl stop or a container runtime does.</summary>
    public void Terminate() => Assert.Equal(0, SendSignal(_process.Id, 15));

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    /// <summary>Kills the process at once (SIGKILL): no chance to clean up, as when a machine dies.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
