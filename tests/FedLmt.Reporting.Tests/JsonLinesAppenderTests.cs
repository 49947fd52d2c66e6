using System.Text.Json;

namespace FedLmt.Reporting.Tests;

public class JsonLinesAppenderTests
{
    private sealed record RoundMetrics(int Round, double Accuracy, string Note);

    [Fact]
    public void Appends_one_compact_line_per_record_and_reads_them_back()
    {
        using var dir = new TempDirectory();
        var path = dir.File("metrics.jsonl");

        using (var appender = new JsonLinesAppender(path))
        {
            appender.Append(new RoundMetrics(1, 0.5, "a"));
            appender.Append(new RoundMetrics(2, 0.75, "multi\nline"));
        }

        Assert.Equal(
            "{\"round\":1,\"accuracy\":0.5,\"note\":\"a\"}\n{\"round\":2,\"accuracy\":0.75,\"note\":\"multi\\nline\"}\n",
            File.ReadAllText(path));
        Assert.Equal(
            new[] { new RoundMetrics(1, 0.5, "a"), new RoundMetrics(2, 0.75, "multi\nline") },
            JsonLinesAppender.ReadAll<RoundMetrics>(path));
    }

    [Fact]
    public void Reopening_continues_after_the_existing_records()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.jsonl");
        using (var first = new JsonLinesAppender(path))
        {
            first.Append(new RoundMetrics(1, 0.1, ""));
        }

        using (var second = new JsonLinesAppender(path))
        {
            second.Append(new RoundMetrics(2, 0.2, ""));
        }

        Assert.Equal(new[] { 1, 2 }, JsonLinesAppender.ReadAll<RoundMetrics>(path).Select(r => r.Round));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_by_readers_and_removed_on_reopen()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.jsonl");
        File.WriteAllText(path, "{\"round\":1,\"accuracy\":0.1,\"note\":\"\"}\n{\"round\":2,\"accur");

        var beforeReopen = JsonLinesAppender.ReadAll<RoundMetrics>(path);
        using (var appender = new JsonLinesAppender(path))
        {
            appender.Append(new RoundMetrics(3, 0.3, ""));
        }

        Assert.Equal(new[] { 1 }, beforeReopen.Select(r => r.Round));
        Assert.Equal(new[] { 1, 3 }, JsonLinesAppender.ReadAll<RoundMetrics>(path).Select(r => r.Round));
    }

    [Fact]
    public void A_file_that_is_only_a_torn_line_becomes_empty()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.jsonl");
        File.WriteAllText(path, "{\"round\":1");

        using (new JsonLinesAppender(path))
        {
        }

        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void Refuses_indented_options_that_would_split_a_record_over_lines()
    {
        using var dir = new TempDirectory();
        using var appender = new JsonLinesAppender(dir.File("m.jsonl"), new JsonSerializerOptions { WriteIndented = true });

        var ex = Assert.Throws<InvalidOperationException>(() => appender.Append(new RoundMetrics(1, 0, "")));

        Assert.Contains("WriteIndented", ex.Message);
    }

    [Fact]
    public void Reports_a_corrupt_complete_line_with_its_number()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.jsonl");
        File.WriteAllText(path, "{\"round\":1,\"accuracy\":0.1,\"note\":\"\"}\nnot json\n");

        var ex = Assert.Throws<InvalidDataException>(() => JsonLinesAppender.ReadAll<RoundMetrics>(path));

        Assert.Contains("line 2", ex.Message);
        Assert.Contains(path, ex.Message);
    }
}
