namespace FedLmt.Data;

/// <summary>How a run reads its dataset beyond the spec: for a text corpus, the window length and the vocabulary's cut-off.</summary>
public sealed record DatasetOptions
{
    public static DatasetOptions Default { get; } = new();

    /// <summary>Positions per window of a text corpus (the authors' bptt, 64); ignored by image sets.</summary>
    public int SequenceLength { get; init; } = TextCorpus.DefaultSequenceLength;

    /// <summary>
    /// A word enters a corpus's vocabulary when the training text has it at least this often (rarer words become
    /// &lt;unk&gt;); null: the corpus's own rule (WikiText-2 keeps every word, as the authors do).
    /// </summary>
    public int? MinWordCount { get; init; }
}
