namespace FedLmt.Grpc;

/// <summary>Secrets on disk (keys, tokens): owner-only from the first byte, also when they replace an older, looser file.</summary>
public static class PrivateFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to a new owner-only (0600) file beside <paramref name="path"/> and renames it over
    /// the target: an existing file's permissions (0644, say) are not inherited, and no reader sees half a key.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var writer = new StreamWriter(temp, options)) writer.Write(text);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
