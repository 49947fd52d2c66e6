namespace FedLmt.Reporting.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Writes_text_and_bytes_creating_the_folder()
    {
        using var dir = new TempDirectory();
        var text = dir.File("sub/a.txt");
        var bytes = dir.File("sub/b.bin");

        AtomicFile.WriteAllText(text, "héllo\n");
        AtomicFile.WriteAllBytes(bytes, [1, 2, 3]);

        Assert.Equal("héllo\n"u8.ToArray(), File.ReadAllBytes(text)); // UTF-8, no byte-order mark
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(bytes));
    }

    [Fact]
    public void Replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.json");
        File.WriteAllText(path, "old content that is longer than the new");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_file_untouched_and_no_temporary_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.csv");
        File.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new con"u8);
            throw new InvalidOperationException("simulated crash mid-write");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Readers_during_a_write_see_the_old_content()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.txt");
        File.WriteAllText(path, "old");
        string? seenMidWrite = null;

        AtomicFile.Write(path, stream =>
        {
            stream.Write("new"u8);
            stream.Flush();
            seenMidWrite = File.ReadAllText(path);
        });

        Assert.Equal("old", seenMidWrite);
        Assert.Equal("new", File.ReadAllText(path));
    }
}
