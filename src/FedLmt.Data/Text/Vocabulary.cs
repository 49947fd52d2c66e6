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
        UnknownId = _ids[Unknown];
    }

    /// <summary>Every word, by id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Number of words: the language model's output classes (its input also has a mask token, id <see cref="Count"/>).</summary>
    public int Count => Words.Count;

    /// <summary>The id of <see cref="Unknown"/> (every vocabulary has it).</summary>
    public int UnknownId { get; }

    /// <summary>
    /// The vocabulary of <paramref name="tokens"/>: every token seen at least <paramref name="minCount"/> times, in
    /// order of first appearance, and <see cref="Unknown"/> (at its first appearance when the text has it - WikiText-2
    /// does - else last), so words outside it have an id.
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
        if (!counts.ContainsKey(Unknown)) words.Add(Unknown);
        return new Vocabulary(words);
    }

    /// <summary>The id of <paramref name="word"/>: its own, else <see cref="Unknown"/>'s.</summary>
    public int IdOf(string word) => _ids.TryGetValue(word, out var id) ? id : UnknownId;

    /// <summary>Whether the vocabulary holds <paramref name="word"/> itself.</summary>
    public bool Contains(string word) => _ids.ContainsKey(word);
}
