using System.Text;

namespace FedLmt.Data.Tests;

/// <summary>
/// WikiText-2 on small files written in the distribution's own format: every line starts with a space, tokens are
/// separated by single spaces, headings read " = Title = ", blank lines are a single space, hyphens and thousands
/// separators are split out as @-@ and @,@, and rare words are already &lt;unk&gt;.
/// </summary>
public class WikiText2Tests
{
    const string Train =
        " \n" +
        " = Valkyria Chronicles = \n" +
        " \n" +
        " Senjō no Valkyria is a role @-@ playing game by <unk> . \n" +
        " \n" +
        " = = Reception = = \n" +
        " \n" +
        " It sold 1 @,@ 000 copies , a <unk> game . \n";

    const string Valid = " \n = Valid = \n \n The valid split is not read for windows . \n";

    const string Test = " \n = Valkyria = \n \n The game was a success in Japan . \n";

    // The train file's words in order of first appearance, <eos> first (the file opens with a blank line).
    static readonly string[] TrainWords =
    [
        "<eos>", "=", "Valkyria", "Chronicles", "Senjō", "no", "is", "a", "role", "@-@", "playing", "game", "by", "<unk>", ".",
        "Reception", "It", "sold", "1", "@,@", "000", "copies", ",",
    ];

    // Line by line: " " | " = Valkyria Chronicles = " | " " | " Senjō ... . " | " " | " = = Reception = = " | " " | " It sold ... . "
    static readonly int[] TrainIds =
    [
        0,
        1, 2, 3, 1, 0,
        0,
        4, 5, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0,
        0,
        1, 1, 15, 1, 1, 0,
        0,
        16, 17, 18, 19, 20, 21, 22, 7, 13, 11, 14, 0,
    ];

    // " " | " = Valkyria = " | " " | " The game was a success in Japan . ": The, was, success, in, Japan are not train words.
    static readonly int[] TestIds = [0, 1, 2, 1, 0, 0, 13, 11, 13, 7, 13, 13, 13, 14, 0];

    static string WriteCorpus(TempDirectory dir, string train = Train, string valid = Valid, string test = Test)
    {
        File.WriteAllText(Path.Combine(dir.Path, WikiText2.TrainFile), train, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dir.Path, WikiText2.ValidFile), valid, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dir.Path, WikiText2.TestFile), test, new UTF8Encoding(false));
        return dir.Path;
    }

    static DatasetSplit Read(string folder, int sequenceLength) => WikiText2.Read(folder, new DatasetOptions { SequenceLength = sequenceLength });

    [Fact]
    public void The_vocabulary_is_every_train_word_in_order_of_first_appearance_with_eos()
    {
        using var dir = new TempDirectory();

        var data = Read(WriteCorpus(dir), 4);

        var train = (TokenSequences)data.Train;
        Assert.Equal(23, train.Vocabulary.Count);
        Assert.Equal(TrainWords, train.Vocabulary.Words);
        Assert.Equal(13, train.Vocabulary.UnknownId);
        Assert.Same(train.Vocabulary, ((TokenSequences)data.Test).Vocabulary);
    }

    [Fact]
    public void A_window_as_long_as_the_train_file_holds_its_whole_token_stream()
    {
        using var dir = new TempDirectory();

        // 40 tokens: one window of 39 positions plus the next-token target (the test file, too short for such a
        // window, is a copy of the train file here).
        var train = (TokenSequences)Read(WriteCorpus(dir, test: Train), 39).Train;

        Assert.Equal(40, TrainIds.Length);
        Assert.Equal(1, train.Count);
        Assert.Equal(TrainIds, train.Window(0).ToArray());
    }

    [Fact]
    public void Short_windows_number_floor_of_tokens_minus_one_over_the_length_all_of_the_one_source()
    {
        using var dir = new TempDirectory();

        var data = Read(WriteCorpus(dir), 4);

        var train = (TokenSequences)data.Train;
        Assert.Equal((40 - 1) / 4, train.Count); // 9
        Assert.Equal(TrainIds[32..37], train.Window(8).ToArray());
        Assert.All(train.Labels, l => Assert.Equal(0, l));
        Assert.Equal(["wikitext-2"], train.ClassNames);
        Assert.Equal("wikitext-2/train", train.Name);
        var test = (TokenSequences)data.Test;
        Assert.Equal((15 - 1) / 4, test.Count); // 3
        Assert.Equal(TestIds[4..9], test.Window(1).ToArray());
    }

    [Fact]
    public void A_test_word_the_train_file_lacks_becomes_unk()
    {
        using var dir = new TempDirectory();

        var test = (TokenSequences)Read(WriteCorpus(dir), 14).Test;

        Assert.Equal(1, test.Count);
        Assert.Equal(TestIds, test.Window(0).ToArray());
        Assert.False(test.Vocabulary.Contains("Japan"));
        Assert.Equal(13, test.Vocabulary.IdOf("Japan"));
    }

    [Fact]
    public void A_min_word_count_sends_rarer_train_words_to_unk()
    {
        using var dir = new TempDirectory();

        var train = (TokenSequences)WikiText2.Read(WriteCorpus(dir), new DatasetOptions { SequenceLength = 4, MinWordCount = 2 }).Train;

        // Seen twice or more: <eos> (8), = (6), Valkyria (2), a (2), game (2), <unk> (2), . (2).
        Assert.Equal(["<eos>", "=", "Valkyria", "a", "game", "<unk>", "."], train.Vocabulary.Words);
    }

    [Fact]
    public void A_missing_file_is_named_with_the_three_expected_names()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir);
        File.Delete(Path.Combine(dir.Path, WikiText2.ValidFile));

        var e = Assert.Throws<FileNotFoundException>(() => Read(dir.Path, 4));

        Assert.Contains($"file {WikiText2.ValidFile} not found in '{dir.Path}'", e.Message);
        Assert.Contains("wiki.train.tokens, wiki.valid.tokens and wiki.test.tokens", e.Message);
    }

    [Fact]
    public void A_missing_folder_is_refused_with_what_it_should_hold()
    {
        using var dir = new TempDirectory();
        var nowhere = Path.Combine(dir.Path, "nowhere");

        var e = Assert.Throws<DirectoryNotFoundException>(() => Read(nowhere, 4));

        Assert.Contains(nowhere, e.Message);
        Assert.Contains("wiki.train.tokens, wiki.valid.tokens and wiki.test.tokens", e.Message);
    }

    [Fact]
    public void An_empty_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir, test: "");

        var e = Assert.Throws<InvalidDataException>(() => Read(dir.Path, 4));

        Assert.Contains(Path.Combine(dir.Path, WikiText2.TestFile), e.Message);
        Assert.Contains("is empty", e.Message);
    }

    [Fact]
    public void A_file_cut_inside_a_multibyte_character_is_reported_truncated()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir);
        var bytes = Encoding.UTF8.GetBytes(" \n = Valkyria Chronicles = \n \n Senjō");
        // ō is C5 8D: keep its first byte only, as a download cut short would.
        File.WriteAllBytes(Path.Combine(dir.Path, WikiText2.TrainFile), bytes[..^1]);

        var e = Assert.Throws<InvalidDataException>(() => Read(dir.Path, 4));

        Assert.Contains(Path.Combine(dir.Path, WikiText2.TrainFile), e.Message);
        Assert.Contains("ends in the middle of a multi-byte UTF-8 character", e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void Invalid_utf8_inside_a_file_is_reported_with_its_position()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir);
        byte[] bytes = [.. " \n = A = \n "u8, 0xFF, .. " b . \n"u8]; // 0xFF never occurs in UTF-8
        File.WriteAllBytes(Path.Combine(dir.Path, WikiText2.ValidFile), bytes);

        var e = Assert.Throws<InvalidDataException>(() => Read(dir.Path, 4));

        Assert.Contains(Path.Combine(dir.Path, WikiText2.ValidFile), e.Message);
        Assert.Contains("invalid UTF-8 at byte 11 (line 3)", e.Message);
    }

    [Fact]
    public void Binary_junk_is_refused_as_not_a_tokens_file()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir);
        // The start of a gzip file: what a still-compressed download looks like.
        File.WriteAllBytes(Path.Combine(dir.Path, WikiText2.TrainFile), [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAD, 0x5B]);

        var e = Assert.Throws<InvalidDataException>(() => Read(dir.Path, 4));

        Assert.Contains(Path.Combine(dir.Path, WikiText2.TrainFile), e.Message);
        Assert.Contains("control byte 0x1F at byte 0 (line 1): binary data, not a WikiText tokens file", e.Message);
    }

    [Fact]
    public void A_nul_byte_in_text_is_refused_too()
    {
        using var dir = new TempDirectory();
        WriteCorpus(dir, test: " \n = A = \n\0 b . \n");

        var e = Assert.Throws<InvalidDataException>(() => Read(dir.Path, 4));

        Assert.Contains("control byte 0x00 at byte 10 (line 3)", e.Message);
    }

    [Fact]
    public void The_resolver_reads_wikitext2_with_the_runs_sequence_length()
    {
        using var dir = new TempDirectory();

        var data = DatasetResolver.Resolve($"wikitext2:{WriteCorpus(dir)}", new DatasetOptions { SequenceLength = 4 });

        Assert.Equal(9, data.Train.Count);
        Assert.Equal(4, ((TokenSequences)data.Train).SequenceLength);
    }

    [Fact]
    public void The_resolver_wants_a_folder_for_wikitext2_and_says_when_it_is_missing()
    {
        using var dir = new TempDirectory();
        var nowhere = Path.Combine(dir.Path, "nowhere");

        var noPath = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve("wikitext2"));
        var notThere = Assert.Throws<DirectoryNotFoundException>(() => DatasetResolver.Resolve($"wikitext2:{nowhere}"));
        var checkedFirst = Assert.Throws<ArgumentException>(() => DatasetResolver.CheckSpec($"wikitext2:{nowhere}"));

        Assert.Contains("wikitext2:PATH", noPath.Message);
        Assert.Contains(nowhere, notThere.Message);
        Assert.Contains($"folder {nowhere} does not exist", checkedFirst.Message);
    }
}
