using System.Globalization;

namespace FedLmt.Grpc;

/// <summary>Client id lists as written on a command line or in a token file: "0-249", "3", "0-9,20,30-39".</summary>
public static class ClientIds
{
    /// <summary>The ids <paramref name="text"/> names, ascending; refuses bad syntax, reversed ranges and repeats, naming the part.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        var ids = new List<int>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var (first, last) = ParseRange(raw) ?? throw new ArgumentException($"client ids '{text}': '{raw}' is not an id or a range A-B (ids are integers >= 0)");
            for (long id = first; id <= last; id++) ids.Add((int)id);
        }
        var repeated = ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        if (repeated.Count > 0) throw new ArgumentException($"client ids '{text}' name {string.Join(", ", repeated)} more than once");
        ids.Sort();
        return ids;
    }

    /// <summary>A single id "7" as (7, 7), or a range "0-249" as (0, 249); null when it is neither (or reversed).</summary>
    public static (int First, int Last)? ParseRange(string text)
    {
        if (text.Length == 0) return null;
        int dash = text.IndexOf('-', 1);
        string a = dash < 0 ? text : text[..dash], b = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out int last) || last < first)
            return null;
        return (first, last);
    }
}
