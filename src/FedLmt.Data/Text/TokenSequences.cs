namespace FedLmt.Data;

/// <summary>
/// A text corpus cut into windows for a language model: each sample is <see cref="SequenceLength"/> + 1 consecutive
/// tokens of one source's stream (windows start every <see cref="SequenceLength"/> tokens, so the extra token is the
/// next window's first: the target of next-token prediction at the last position). A window's label is its source.
/// </summary>
public sealed class TokenSequences : Dataset
{
    /// <summary>Wraps windows already cut: <paramref name="tokens"/> holds Count x (sequenceLength + 1) token ids.</summary>
    public TokenSequences(string name, int[] tokens, int[] labels, int sequenceLength, Vocabulary vocabulary, IReadOnlyList<string> sources)
        : base(name, labels, sources.Count, sources)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        if (tokens.LongLength != (long)labels.Length * (sequenceLength + 1))
        {
            throw new ArgumentException(
                $"Dataset '{name}': {tokens.Length} tokens for {labels.Length} windows; expected {labels.Length} x {sequenceLength + 1}.");
        }
        for (var i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabulary.Count)
            {
                throw new ArgumentException($"Dataset '{name}': token id {tokens[i]} at {i} is outside the vocabulary of {vocabulary.Count} words.");
            }
        }
        Tokens = tokens;
        SequenceLength = sequenceLength;
        Vocabulary = vocabulary;
    }

    /// <summary>Every window's tokens, Count x (SequenceLength + 1). Must not be modified.</summary>
    public int[] Tokens { get; }

    /// <summary>Positions the model sees per window (the authors' bptt).</summary>
    public int SequenceLength { get; }

    /// <summary>The words the ids stand for.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Tokens per stored window (SequenceLength + 1).</summary>
    public int WindowSize => SequenceLength + 1;

    /// <summary>The tokens of window <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Window(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Tokens.AsSpan(index * WindowSize, WindowSize);
    }

    /// <summary>
    /// Cuts each source's token stream into windows (sources in label order); a stream's tail shorter than a window
    /// is left out.
    /// </summary>
    public static TokenSequences FromStreams(string name, IReadOnlyList<int[]> streams, IReadOnlyList<string> sources,
        int sequenceLength, Vocabulary vocabulary)
    {
        if (streams.Count != sources.Count)
            throw new ArgumentException($"Dataset '{name}': {streams.Count} token streams for {sources.Count} sources.");
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var tokens = new List<int>();
        var labels = new List<int>();
        for (var s = 0; s < streams.Count; s++)
        {
            for (var start = 0; start + sequenceLength < streams[s].Length; start += sequenceLength)
            {
                tokens.AddRange(streams[s].AsSpan(start, sequenceLength + 1));
                labels.Add(s);
            }
        }
        return new TokenSequences(name, [.. tokens], [.. labels], sequenceLength, vocabulary, sources);
    }

    /// <inheritdoc />
    public override TokenSequences Select(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var tokens = new int[(long)indices.Count * WindowSize];
        var labels = new int[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Window(indices[i]).CopyTo(tokens.AsSpan(i * WindowSize, WindowSize));
            labels[i] = Labels[indices[i]];
        }
        return new TokenSequences(name ?? Name, tokens, labels, SequenceLength, Vocabulary, ClassNames);
    }

    /// <inheritdoc />
    public override string? MismatchWith(Dataset test) => test switch
    {
        TokenSequences t when t.SequenceLength != SequenceLength =>
            $"Train set '{Name}' has windows of {SequenceLength} tokens but test set '{t.Name}' has {t.SequenceLength}.",
        TokenSequences t when !ReferenceEquals(t.Vocabulary, Vocabulary) && t.Vocabulary.Count != Vocabulary.Count =>
            $"Train set '{Name}' has a vocabulary of {Vocabulary.Count} words but test set '{t.Name}' has {t.Vocabulary.Count}.",
        TokenSequences t when t.ClassCount != ClassCount => $"Train set '{Name}' has {ClassCount} sources but test set '{t.Name}' has {t.ClassCount}.",
        TokenSequences => null,
        _ => $"Train set '{Name}' holds text but test set '{test.Name}' does not.",
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {Count} windows of {SequenceLength} tokens, {Vocabulary.Count} words, {ClassCount} sources";
}
