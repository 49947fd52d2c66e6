using System.Security.Cryptography;
using System.Text;

namespace FedLmt.Data;

/// <summary>
/// SHA-256 checksums of a set of files, stored in the format of <c>sha256sum</c> ("&lt;hex&gt;  &lt;name&gt;" per line),
/// so <c>sha256sum -c SHA256SUMS</c> checks the same files.
/// </summary>
public sealed class ChecksumManifest
{
    /// <summary>Conventional manifest file name.</summary>
    public const string FileName = "SHA256SUMS";

    private readonly SortedDictionary<string, string> _hashes;

    private ChecksumManifest(SortedDictionary<string, string> hashes, string source)
    {
        _hashes = hashes;
        Source = source;
    }

    /// <summary>Where the manifest came from (file path or resource name), for error messages.</summary>
    public string Source { get; }

    /// <summary>File name to lower-case hex SHA-256.</summary>
    public IReadOnlyDictionary<string, string> Hashes => _hashes;

    /// <summary>A manifest of the given file contents.</summary>
    public static ChecksumManifest Create(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, content) in files)
        {
            hashes.Add(name, Hash(content));
        }
        return new ChecksumManifest(hashes, "(new)");
    }

    /// <summary>Parses manifest text; <paramref name="source"/> names it in errors.</summary>
    public static ChecksumManifest Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var hash = space > 0 ? line[..space] : line;
            // sha256sum separates with two spaces, or " *" in binary mode.
            var name = space > 0 ? line[(space + 1)..].TrimStart(' ', '*') : "";
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit) || name.Length == 0)
            {
                throw new InvalidDataException(
                    $"'{source}' line {lineNumber}: '{line}'; expected '<64 hex digits>  <file name>' as written by sha256sum.");
            }
            if (!hashes.TryAdd(name, hash.ToLowerInvariant()))
            {
                throw new InvalidDataException($"'{source}' line {lineNumber}: '{name}' is listed twice.");
            }
        }
        return new ChecksumManifest(hashes, source);
    }

    /// <summary>The manifest text, one "&lt;hex&gt;  &lt;name&gt;" line per file in ordinal name order.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var (name, hash) in _hashes)
        {
            text.Append(hash).Append("  ").Append(name).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Throws unless <paramref name="content"/> has the checksum listed for <paramref name="fileName"/>.</summary>
    public void Verify(string fileName, ReadOnlySpan<byte> content)
    {
        if (!_hashes.TryGetValue(fileName, out var expected))
        {
            throw new InvalidDataException(
                $"Checksum manifest '{Source}' has no entry for '{fileName}'; it lists {string.Join(", ", _hashes.Keys)}.");
        }
        var found = Hash(content);
        if (!string.Equals(found, expected, StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                $"Checksum mismatch for '{fileName}': manifest '{Source}' expects SHA-256 {expected} but the file has {found}. " +
                "The file is corrupt or was replaced; rebuild it (fedlmt data make-subset, fedlmt data moby-dick) or restore it.");
        }
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="content"/>.</summary>
    public static string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
