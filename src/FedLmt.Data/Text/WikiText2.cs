namespace FedLmt.Data;

/// <summary>
/// WikiText-2 (word level, wikitext-2-v1) as distributed: wiki.train.tokens, wiki.valid.tokens and wiki.test.tokens,
/// UTF-8 text with one paragraph or heading per line, tokens separated by single spaces, rare words already replaced
/// by &lt;unk&gt;. Each line's tokens and an end-of-line token are one stream of a single source, "wikitext-2"; the
/// vocabulary is the train file's, in order of first appearance (as the authors' corpus numbers it). The validation
/// file must be there and be text, since the distribution always has it, but it is used neither for training nor for
/// testing: a run trains on the train file and reports on the test file.
/// </summary>
public static class WikiText2
{
    public const string TrainFile = "wiki.train.tokens";
    public const string ValidFile = "wiki.valid.tokens";
    public const string TestFile = "wiki.test.tokens";

    /// <summary>The one source (label) of every window.</summary>
    public const string SourceName = "wikitext-2";

    /// <summary>The three files of the distribution, in the order they are checked.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [TrainFile, ValidFile, TestFile];

    const string Expected = "a WikiText tokens file (UTF-8 text, one paragraph per line, tokens separated by spaces)";

    /// <summary>
    /// Both splits from <paramref name="folder"/>, cut into windows of <see cref="DatasetOptions.SequenceLength"/>; the
    /// vocabulary keeps every train word (or those seen <see cref="DatasetOptions.MinWordCount"/> times) and the test
    /// file's other words become &lt;unk&gt;.
    /// </summary>
    public static DatasetSplit Read(string folder, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"WikiText-2 folder '{folder}' does not exist; expected a folder holding {ExpectedFiles}.");
        var missing = FileNames.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"WikiText-2 file {string.Join(", ", missing)} not found in '{folder}'; expected {ExpectedFiles}.",
                Path.Combine(folder, missing[0]));
        }
        var train = TextFile.Read(Path.Combine(folder, TrainFile), Expected);
        TextFile.Read(Path.Combine(folder, ValidFile), Expected);
        var test = TextFile.Read(Path.Combine(folder, TestFile), Expected);
        return TextCorpus.Build("wikitext-2", [new TextDocument(SourceName, train)], [new TextDocument(SourceName, test)],
            Tokenizers.Pretokenized, options.SequenceLength, options.MinWordCount ?? 1);
    }

    static string ExpectedFiles => $"{TrainFile}, {ValidFile} and {TestFile} (wikitext-2-v1, the word-level tokens files)";
}
