using System.Reflection;

namespace FedLmt.Data;

/// <summary>
/// Data files embedded in this assembly under one resource prefix (FedLmt.Data.csproj gives each folder of data/ its
/// prefix), with the folder's SHA256SUMS manifest: each file is read whole and verified against it.
/// </summary>
internal sealed class EmbeddedFiles
{
    readonly Assembly _assembly = typeof(EmbeddedFiles).Assembly;
    readonly string _prefix;
    readonly string _folder;

    /// <param name="prefix">The resource prefix, e.g. "FedLmt.Data.MobyDick.".</param>
    /// <param name="folder">The repository folder they are built from, e.g. "data/moby-dick" (for the error when one is missing).</param>
    public EmbeddedFiles(string prefix, string folder)
    {
        _prefix = prefix;
        _folder = folder;
        Manifest = ChecksumManifest.Parse(System.Text.Encoding.UTF8.GetString(Read(ChecksumManifest.FileName)),
            $"embedded resource {prefix}{ChecksumManifest.FileName}");
    }

    /// <summary>The embedded SHA-256 manifest.</summary>
    public ChecksumManifest Manifest { get; }

    /// <summary>The bytes of <paramref name="file"/>, unverified.</summary>
    public byte[] Read(string file)
    {
        using var stream = _assembly.GetManifestResourceStream(_prefix + file)
            ?? throw new InvalidOperationException(
                $"Embedded resource '{_prefix}{file}' is missing from {_assembly.GetName().Name}; the assembly was built without {_folder}.");
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        return content;
    }

    /// <summary>The bytes of <paramref name="file"/>, checked against the manifest.</summary>
    public byte[] ReadVerified(string file)
    {
        var content = Read(file);
        Manifest.Verify(file, content);
        return content;
    }
}
