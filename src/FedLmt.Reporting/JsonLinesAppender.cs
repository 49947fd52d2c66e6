using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Reporting;

/// <summary>
/// Appends one JSON document per line (JSON Lines), each written with a single write call and flushed to disk.
/// </summary>
/// <remarks>
/// A crash can only cut the last line short; opening the file again removes such a torn line (with a warning), and
/// <see cref="ReadAll{T}"/> ignores it, so a reader never sees a half-written record.
/// </remarks>
public sealed class JsonLinesAppender : IDisposable
{
    private static readonly JsonSerializerOptions DefaultOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly FileStream _stream;
    private readonly JsonSerializerOptions _options;

    /// <summary>Opens (or creates) <paramref name="path"/> for appending, first dropping a torn last line if there is one.</summary>
    public JsonLinesAppender(string path, JsonSerializerOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _options = options ?? DefaultOptions;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var kept = CompleteLength(_stream);
        if (kept < _stream.Length)
        {
            (logger ?? NullLogger.Instance).LogWarning(
                "Dropping {Bytes} bytes of a torn last line in {Path} (a previous run stopped mid-write)", _stream.Length - kept, Path);
            _stream.SetLength(kept);
            _stream.Flush(flushToDisk: true);
        }
        _stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>Appends <paramref name="record"/> as one line and flushes it to disk.</summary>
    public void Append<T>(T record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, _options);
        // Indented options would put newlines inside the record; a line must be a whole record.
        if (Array.IndexOf(json, (byte)'\n') >= 0)
        {
            throw new InvalidOperationException("JSON Lines records must serialize to one line; use JsonSerializerOptions with WriteIndented = false.");
        }
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        _stream.Write(line);
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Every complete record in <paramref name="path"/> (a torn last line is ignored); empty if the file does not exist.</summary>
    public static IReadOnlyList<T> ReadAll<T>(string path, JsonSerializerOptions? options = null)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        var bytes = File.ReadAllBytes(path);
        var complete = bytes.AsSpan(0, Array.LastIndexOf(bytes, (byte)'\n') + 1);
        var records = new List<T>();
        var lineNumber = 0;
        foreach (var line in Encoding.UTF8.GetString(complete).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                records.Add(JsonSerializer.Deserialize<T>(line, options ?? DefaultOptions)!);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber} is not valid JSON for {typeof(T).Name}: {ex.Message}", ex);
            }
        }
        return records;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private static long CompleteLength(FileStream stream)
    {
        // Scan back from the end for the last newline; everything after it is a torn record.
        var buffer = new byte[4096];
        var end = stream.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            var newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (newline >= 0)
            {
                return start + newline + 1;
            }
            end = start;
        }
        return 0;
    }
}
