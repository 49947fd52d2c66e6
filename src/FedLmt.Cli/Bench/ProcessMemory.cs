namespace FedLmt.Cli.Bench;

/// <summary>This process's resident memory, as the kernel counts it.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size in bytes (VmRSS of /proc/self/status; the working set where there is no /proc).</summary>
    public static long ResidentBytes()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
