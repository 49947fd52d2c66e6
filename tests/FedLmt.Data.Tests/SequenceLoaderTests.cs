using TorchSharp;

namespace FedLmt.Data.Tests;

public class SequenceLoaderTests
{
    static readonly Vocabulary Words = Vocabulary.Build(Enumerable.Range(0, 40).Select(i => $"w{i}"));

    /// <summary>One source, the stream 0, 1, 2, ... (ids are the words w0, w1, ... in first-appearance order).</summary>
    static TokenSequences Stream(int length, int sequenceLength) =>
        TokenSequences.FromStreams("s", [Enumerable.Range(0, length).Select(i => i % 40).ToArray()], ["all"], sequenceLength, Words);

    static long[] Values(torch.Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void Windows_start_every_T_tokens_and_carry_one_more()
    {
        var windows = Stream(10, 3); // starts 0, 3, 6; a window at 9 would need tokens 9..12
        Assert.Equal(3, windows.Count);
        Assert.Equal([3, 4, 5, 6], windows.Window(1).ToArray());
        Assert.Equal([6, 7, 8, 9], windows.Window(2).ToArray());
    }

    [Fact]
    public void Next_token_targets_are_the_inputs_shifted_by_one()
    {
        var loader = new SequenceLoader(Stream(10, 3), [0, 2], batchSize: 8, new TextTask(TextObjective.NextToken));
        using var batch = loader.InOrder().Single();
        Assert.Equal([0L, 1, 2, 6, 7, 8], Values(batch.X));
        Assert.Equal([1L, 2, 3, 7, 8, 9], Values(batch.Y));
        Assert.Equal(new long[] { 2, 3 }, batch.X.shape);
    }

    [Fact]
    public void Masked_inputs_hide_about_p_of_the_tokens_and_targets_keep_them_all()
    {
        var data = Stream(64 * 200 + 1, 64);
        var loader = new SequenceLoader(data, Enumerable.Range(0, data.Count).ToArray(), batchSize: 50, new TextTask(TextObjective.MaskedTokens, 0.15));
        long masked = 0, total = 0;
        foreach (var batch in loader.Epoch(seed: 7))
        {
            using var _ = batch;
            var x = Values(batch.X);
            var y = Values(batch.Y);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(x[i] == y[i] || x[i] == loader.MaskId, "an input token is either the original or the mask");
                Assert.InRange(y[i], 0, 39);
                if (x[i] == loader.MaskId) masked++;
            }
            total += x.Length;
        }
        Assert.Equal(12800, total);
        // Binomial(12800, 0.15): standard deviation 0.0032, so +-0.016 is five of them.
        Assert.InRange((double)masked / total, 0.134, 0.166);
        Assert.Equal(41, loader.MaskId); // w0..w39 and <unk>
    }

    [Fact]
    public void An_epoch_is_a_function_of_its_seed_and_test_masks_of_the_window_alone()
    {
        var data = Stream(64 * 20 + 1, 64);
        var all = Enumerable.Range(0, data.Count).ToArray();
        var loader = new SequenceLoader(data, all, batchSize: 7, new TextTask());
        static long[] Flat(IEnumerable<Batch> batches) => batches.SelectMany(b => { using var _ = b; return Values(b.X); }).ToArray();
        Assert.Equal(Flat(loader.Epoch(3)), Flat(loader.Epoch(3)));
        Assert.NotEqual(Flat(loader.Epoch(3)), Flat(loader.Epoch(4)));

        // A compact copy of windows 5 and 11 (as a deployed client holds them) masks them as the whole set does.
        var copy = data.Select([5, 11]);
        var whole = Flat(new SequenceLoader(data, [5, 11], 2, new TextTask()).InOrder());
        var compact = Flat(new SequenceLoader(copy, [0, 1], 2, new TextTask()).InOrder());
        Assert.Equal(whole, compact);
        Assert.Contains((long)Words.Count, whole); // the mask token appears in 128 masked draws
    }

    [Fact]
    public void Vocabulary_numbers_words_by_first_appearance_and_maps_rare_ones_to_unk()
    {
        var all = Vocabulary.Build(["b", "a", "b", "c", "<eos>"]);
        Assert.Equal(["b", "a", "c", "<eos>", "<unk>"], all.Words);
        Assert.Equal(4, all.IdOf("zebra"));
        Assert.Equal(1, Vocabulary.Build(["b", "<unk>", "a"]).UnknownId); // a text that has it keeps it where it first appears

        var frequent = Vocabulary.Build(["b", "a", "b", "c", "<eos>"], minCount: 2);
        Assert.Equal(["b", "<eos>", "<unk>"], frequent.Words);
        Assert.Equal(2, frequent.IdOf("a"));
    }

    [Fact]
    public void Prose_is_lower_cased_words_and_punctuation_with_an_end_per_line()
    {
        var tokens = Tokenizers.Prose("Call me Ishmael. Some years ago\u2014never mind it\u2019s 1851\n\n  Whale-ship!\n").ToList();
        Assert.Equal(["call", "me", "ishmael", ".", "some", "years", "ago", "\u2014", "never", "mind", "it's", "1851", "<eos>",
            "whale", "-", "ship", "!", "<eos>"], tokens);
    }

    [Fact]
    public void Pretokenized_text_keeps_every_line_a_blank_one_too()
    {
        var tokens = Tokenizers.Pretokenized(" = Valkyria = \n \n The game @-@ play <unk> \n").ToList();
        Assert.Equal(["=", "Valkyria", "=", "<eos>", "<eos>", "The", "game", "@-@", "play", "<unk>", "<eos>"], tokens);
    }

    [Fact]
    public void Held_out_corpora_test_on_each_documents_tail()
    {
        // Two documents of 20 words, 21 tokens with <eos>; test share 0.2 cuts at round(16.8) = 17: tokens 17..20 are test.
        var docs = new[] { Words20("a"), Words20("b") };
        var split = TextCorpus.BuildHeldOut("t", docs, 0.2, Tokenizers.Prose, sequenceLength: 2);
        var train = (TokenSequences)split.Train;
        var test = (TokenSequences)split.Test;
        Assert.Equal(["A", "B"], train.ClassNames);
        // Train: 17 tokens per document, windows at 0, 2, ..., 14 (8 each); test: 4 tokens, one window at 0.
        Assert.Equal(Enumerable.Repeat(0, 8).Concat(Enumerable.Repeat(1, 8)), train.Labels);
        Assert.Equal([0, 1], test.Labels);
        var words = train.Vocabulary.Words;
        // The vocabulary is the training text's: the tail's words a17..a19 are not in it and read as <unk>.
        Assert.False(train.Vocabulary.Contains("a17"));
        Assert.Equal(["<unk>", "<unk>", "<unk>"], test.Window(0).ToArray().Select(id => words[id]));
        Assert.Equal(["<unk>", "<unk>", "<unk>"], test.Window(1).ToArray().Select(id => words[id]));
        Assert.Equal(2 * 17 + 1, words.Count); // a0..a16 and b0..b16 (each document's <eos> is in its tail), then <unk>
    }

    static TextDocument Words20(string prefix) =>
        new(prefix.ToUpperInvariant(), string.Join(' ', Enumerable.Range(0, 20).Select(i => $"{prefix}{i}")));
}
