namespace FedLmt.Cli.Bench;

/// <summary>This process's resident memory, as the kernel counts it.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size in bytes (VmRSS of /proc/self/status; the working set where there is no /proc).</summary>
    public static long ResidentBytes() => ResidentBytesOf(Environment.ProcessId);

    /// <summary>Collects and hands free memory back to the OS, so RSS before and after compares live memory only.</summary>
    public static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Resident set size of process <paramref name="pid"/> in bytes (VmRSS of /proc/PID/status; its working set where there is no /proc).</summary>
    public static long ResidentBytesOf(int pid)
    {
        string path = $"/proc/{pid}/status";
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        return process.WorkingSet64;
    }
}
