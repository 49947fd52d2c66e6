using System.Runtime.InteropServices;
using Spectre.Console;

namespace FedLmt.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (kill, systemd, container runtimes) ask a run to stop after the current round with a
/// checkpoint; a second signal ends the process at once. A process started with SIGINT ignored (a background job)
/// keeps ignoring it, as Unix expects, but still stops cleanly on SIGTERM.
/// </summary>
public sealed class StopSignals : IDisposable
{
    readonly PosixSignalRegistration[] _registrations;

    /// <param name="cancel">Cancelled by the first signal.</param>
    /// <param name="message">What the first signal does, said on the console.</param>
    public StopSignals(CancellationTokenSource cancel,
        string message = "Stop requested: finishing this round, saving a checkpoint, then exiting (signal again to abort).")
    {
        void OnSignal(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested) return; // second signal: default handling ends the process
            context.Cancel = true;
            cancel.Cancel();
            AnsiConsole.MarkupLineInterpolated($"[yellow]{message}[/]");
        }
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
        UnblockOnThisThread();
    }

    /// <summary>
    /// A parent may start us with SIGINT/SIGTERM blocked (seen under test hosts): the signal then stays pending and the
    /// run never stops. Unblocking them on the thread that runs the command lets the kernel deliver them.
    /// </summary>
    static void UnblockOnThisThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        var set = new ulong[16]; // glibc sigset_t: 1024 bits
        set[0] = (1UL << (2 - 1)) | (1UL << (15 - 1)); // SIGINT, SIGTERM
        try { _ = pthread_sigmask(1 /* SIG_UNBLOCK */, set, IntPtr.Zero); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "pthread_sigmask")]
    static extern int pthread_sigmask(int how, ulong[] set, IntPtr oldSet);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
