namespace FedLmt.Data;

/// <summary>
/// A word-level vocabulary: ids in order of first appearance in the text it was built from, as the authors' corpus
/// (PyTorch's word-language-model example) numbers them. Words it does not hold map to <see cref="Unknown"/>.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The token that ends every line (paragraph).</summary>
    public const string EndOfLine = "<eos>";

    /// <summary>The token that stands for a word outside the vocabulary (WikiText-2 already carries it).</summary>
    public const string Unknown = "<unk>";

    readonly Dictionary<string, int> _ids;

    Vocabulary(List<string> words)
    {
        Words = words;
        _ids = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++) _ids.Add(words[i], i);
        UnknownId = _ids.GetValueOrDefault(Unknown, -1);
    }

    /// <summary>Every word, by id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Number of words: the language model's output classes (its input also has a mask token, id <see cref="Count"/>).</summary>
    public int Count => Words.Count;

    /// <summary>The id of <see cref="Unknown"/>, or -1 when the vocabulary has none.</summary>
    public int UnknownId { get; }

    /// <summary>
    /// The vocabulary of <paramref name="tokens"/>: every token seen at least <paramref name="minCount"/> times, in
    /// order of first appearance; with <paramref name="minCount"/> above 1, or when the text has it, <see cref="Unknown"/>
    /// is included (at its first appearance, else last).
    /// </summary>
    public static Vocabulary Build(IEnumerable<string> tokens, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var token in tokens)
        {
            if (counts.TryGetValue(token, out var n)) counts[token] = n + 1;
            else
            {
                counts[token] = 1;
                order.Add(token);
            }
        }
        var words = order.Where(w => counts[w] >= minCount || w is Unknown or EndOfLine).ToList();
        if (minCount > 1 && !counts.ContainsKey(Unknown)) words.Add(Unknown);
        return new Vocabulary(words);
    }

    /// <summary>The id of <paramref name="word"/>: its own, else <see cref="Unknown"/>'s; refuses a word when there is no unknown token.</summary>
    public int IdOf(string word) =>
        _ids.TryGetValue(word, out var id) ? id
        : UnknownId >= 0 ? UnknownId
        : throw new InvalidDataException($"word '{word}' is not in the vocabulary of {Count} words, which has no {Unknown} token");

    /// <summary>Whether the vocabulary holds <paramref name="word"/> itself.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);
}
