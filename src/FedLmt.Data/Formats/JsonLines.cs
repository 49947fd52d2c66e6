using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FedLmt.Data;

/// <summary>
/// Text documents as gzip-compressed JSON lines, one <c>{"source":"chapter 1","text":"..."}</c> object per line in
/// document order, UTF-8 with non-ASCII text left as it is. The same documents always give the same bytes: the gzip
/// header carries no file name and a zero time stamp.
/// </summary>
internal static class JsonLines
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The compressed lines of <paramref name="documents"/>.</summary>
    public static byte[] Encode(IEnumerable<TextDocument> documents)
    {
        var lines = new MemoryStream();
        foreach (var document in documents)
        {
            using (var writer = new Utf8JsonWriter(lines, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("source", document.Source);
                writer.WriteString("text", document.Text);
                writer.WriteEndObject();
            }
            lines.WriteByte((byte)'\n');
        }
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            lines.Position = 0;
            lines.CopyTo(gzip);
        }
        return output.ToArray();
    }

    /// <summary>The documents in <paramref name="content"/> (gzip or plain); <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<TextDocument> Decode(byte[] content, string source)
    {
        var text = TextFile.Decode(FileBytes.Decode(content, source), source, "JSON lines of {\"source\":...,\"text\":...}");
        var documents = new List<TextDocument>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("source", out var name) && name.ValueKind == JsonValueKind.String
                    && root.TryGetProperty("text", out var body) && body.ValueKind == JsonValueKind.String)
                {
                    documents.Add(new TextDocument(name.GetString()!, body.GetString()!));
                    continue;
                }
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{source}' line {lineNumber} is not valid JSON ({ex.Message}); expected {{\"source\":...,\"text\":...}}.", ex);
            }
            throw new InvalidDataException($"'{source}' line {lineNumber} is not a document; expected {{\"source\":...,\"text\":...}} with two strings.");
        }
        return documents;
    }
}
