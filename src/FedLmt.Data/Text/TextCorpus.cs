namespace FedLmt.Data;

/// <summary>
/// Turns documents into a language-model dataset: tokens, a vocabulary from the training text, and each source's stream
/// cut into windows (<see cref="TokenSequences"/>); sources are the labels, in order of first appearance.
/// </summary>
public static class TextCorpus
{
    /// <summary>The sequence length (positions per window) when a run gives none: the authors' bptt.</summary>
    public const int DefaultSequenceLength = 64;

    /// <summary>
    /// A split from separate train and test documents (WikiText-2's files): the vocabulary is the train text's (words
    /// seen at least <paramref name="minCount"/> times); test words outside it become <see cref="Vocabulary.Unknown"/>.
    /// </summary>
    public static DatasetSplit Build(string name, IReadOnlyList<TextDocument> train, IReadOnlyList<TextDocument> test,
        Func<string, IEnumerable<string>> tokenize, int sequenceLength, int minCount = 1)
    {
        var trainTokens = train.Select(d => tokenize(d.Text).ToList()).ToList();
        var testTokens = test.Select(d => tokenize(d.Text).ToList()).ToList();
        return FromTokens(name, train, trainTokens, test, testTokens, sequenceLength, minCount);
    }

    /// <summary>
    /// A split from one set of documents: each document's token stream is cut at <c>1 - testShare</c>, its head for
    /// training and its tail for testing, so every source is in both (the embedded Moby-Dick, the State of the Union).
    /// </summary>
    public static DatasetSplit BuildHeldOut(string name, IReadOnlyList<TextDocument> documents, double testShare,
        Func<string, IEnumerable<string>> tokenize, int sequenceLength, int minCount = 1)
    {
        if (!(testShare > 0 && testShare < 1)) throw new ArgumentOutOfRangeException(nameof(testShare), testShare, "the test share must be in (0, 1)");
        var heads = new List<List<string>>();
        var tails = new List<List<string>>();
        foreach (var document in documents)
        {
            var tokens = tokenize(document.Text).ToList();
            var cut = (int)Math.Round(tokens.Count * (1 - testShare));
            heads.Add(tokens[..cut]);
            tails.Add(tokens[cut..]);
        }
        return FromTokens(name, documents, heads, documents, tails, sequenceLength, minCount);
    }

    static DatasetSplit FromTokens(string name, IReadOnlyList<TextDocument> train, List<List<string>> trainTokens,
        IReadOnlyList<TextDocument> test, List<List<string>> testTokens, int sequenceLength, int minCount)
    {
        if (train.Count == 0) throw new InvalidDataException($"Corpus '{name}' has no training documents.");
        var vocabulary = Vocabulary.Build(trainTokens.SelectMany(t => t), minCount);
        var sources = train.Select(d => d.Source).Distinct(StringComparer.Ordinal).ToList();
        var labelOf = sources.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, StringComparer.Ordinal);
        foreach (var document in test)
        {
            if (!labelOf.ContainsKey(document.Source))
                throw new InvalidDataException($"Corpus '{name}': test document source '{document.Source}' has no training text.");
        }
        var trainSet = TokenSequences.FromStreams($"{name}/train", Streams(train, trainTokens), sources, sequenceLength, vocabulary);
        var testSet = TokenSequences.FromStreams($"{name}/test", Streams(test, testTokens), sources, sequenceLength, vocabulary);
        if (trainSet.Count == 0 || testSet.Count == 0)
            throw new InvalidDataException(
                $"Corpus '{name}' gives {trainSet.Count} train and {testSet.Count} test windows of {sequenceLength + 1} tokens; it needs at least one of each.");
        return new DatasetSplit(trainSet, testSet, Augmentation.None);

        List<int[]> Streams(IReadOnlyList<TextDocument> documents, List<List<string>> tokens)
        {
            var streams = sources.Select(_ => new List<int>()).ToList();
            for (var d = 0; d < documents.Count; d++)
            {
                var stream = streams[labelOf[documents[d].Source]];
                foreach (var token in tokens[d]) stream.Add(vocabulary.IdOf(token));
            }
            return streams.Select(s => s.ToArray()).ToList();
        }
    }
}
