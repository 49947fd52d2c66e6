namespace FedLmt.Data;

/// <summary>One document of a corpus: its text and the source it belongs to (a president, a chapter), which is its label.</summary>
public sealed record TextDocument(string Source, string Text);

/// <summary>How a corpus's text becomes tokens; each line (paragraph) ends with <see cref="Vocabulary.EndOfLine"/>.</summary>
public static class Tokenizers
{
    /// <summary>
    /// Pre-tokenized text (WikiText): each line's words as separated by spaces, then the end-of-line token; every line
    /// counts, a blank one too (as the authors' corpus reads it). A final newline ends the last line, it does not start one.
    /// </summary>
    public static IEnumerable<string> Pretokenized(string text)
    {
        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            foreach (var word in lines[i].Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries)) yield return word;
            yield return Vocabulary.EndOfLine;
        }
    }

    /// <summary>
    /// Prose (Moby-Dick, the State of the Union addresses): lower-cased words (letters or digits, with inner
    /// apostrophes), each other visible character a token of its own; blank lines are skipped.
    /// </summary>
    public static IEnumerable<string> Prose(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var any = false;
            var i = 0;
            while (i < line.Length)
            {
                var c = line[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }
                any = true;
                if (!char.IsLetterOrDigit(c))
                {
                    yield return c == '\u2019' ? "'" : c.ToString();
                    i++;
                    continue;
                }
                var start = i;
                while (i < line.Length && (char.IsLetterOrDigit(line[i])
                    || (line[i] is '\'' or '\u2019' && i + 1 < line.Length && char.IsLetter(line[i + 1]) && i > start)))
                {
                    i++;
                }
                yield return line[start..i].Replace('\u2019', '\'').ToLowerInvariant();
            }
            if (any) yield return Vocabulary.EndOfLine;
        }
    }
}
