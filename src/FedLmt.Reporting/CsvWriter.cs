using System.Globalization;
using System.Text;

namespace FedLmt.Reporting;

/// <summary>Writes RFC 4180 CSV tables (invariant culture, "\n" line ends), replacing the file atomically.</summary>
public static class CsvWriter
{
    /// <summary>Writes <paramref name="header"/> and <paramref name="rows"/> to <paramref name="path"/> through <see cref="AtomicFile"/>.</summary>
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows) =>
        AtomicFile.WriteAllText(path, Format(header, rows));

    /// <summary>The CSV text; every row must have as many fields as the header.</summary>
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        if (header.Count == 0)
        {
            throw new ArgumentException("A CSV table needs at least one column.", nameof(header));
        }
        var text = new StringBuilder();
        AppendRow(text, header.Select(h => (object?)h).ToArray());
        var rowNumber = 0;
        foreach (var row in rows)
        {
            rowNumber++;
            if (row.Count != header.Count)
            {
                throw new ArgumentException(
                    $"CSV row {rowNumber} has {row.Count} fields; expected {header.Count} ({string.Join(", ", header)}).", nameof(rows));
            }
            AppendRow(text, row);
        }
        return text.ToString();
    }

    /// <summary>One field as CSV: quoted when it contains a comma, quote, CR or LF, with quotes doubled.</summary>
    public static string Escape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }

    /// <summary>A value as invariant-culture text: numbers round-trip, null is empty, booleans are true/false.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void AppendRow(StringBuilder text, IReadOnlyList<object?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }
            text.Append(Escape(FormatValue(fields[i])));
        }
        text.Append('\n');
    }
}
