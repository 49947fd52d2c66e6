using System.Text.Json;

namespace FedLmt.Cli.Tests;

public class PartitionCommandTests : IDisposable
{
    readonly string _out = Directory.CreateTempSubdirectory("fedlmt-partition-").FullName;

    [Fact]
    public void Iid_partition_of_the_embedded_subset_writes_json_and_png_with_equal_shares()
    {
        var (code, output) = CliRunner.Run("partition", "--clients", "5", "--scheme", "iid", "--seed", "3", "--out", _out);
        Assert.Equal(0, code);
        Assert.True(new FileInfo(Path.Combine(_out, "partition.png")).Length > 1000);
        // PNG signature.
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(Path.Combine(_out, "partition.png"))[..4]);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "partition.json")));
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("clientCount").GetInt32());
        // 12,000 training / 2,000 test images, 1,200 / 200 per class, 5 clients: 2,400 / 400 each, 240 / 40 of every class.
        foreach (var client in root.GetProperty("perClient").EnumerateArray())
        {
            Assert.Equal(2400, client.GetProperty("train").GetInt32());
            Assert.Equal(400, client.GetProperty("test").GetInt32());
            Assert.All(client.GetProperty("trainHistogram").EnumerateArray(), c => Assert.Equal(240, c.GetInt32()));
            Assert.All(client.GetProperty("testHistogram").EnumerateArray(), c => Assert.Equal(40, c.GetInt32()));
        }
        Assert.Contains("2400", output);
    }

    [Theory]
    [InlineData("--alpha", "0", "alpha")]
    [InlineData("--scheme", "zigzag", "zigzag")]
    [InlineData("--clients", "20000", "20000")]
    public void Bad_settings_are_refused_naming_the_setting(string option, string value, string named)
    {
        var (code, output) = CliRunner.Run("partition", option, value, "--out", _out);
        Assert.NotEqual(0, code);
        Assert.Contains(named, output);
        Assert.False(File.Exists(Path.Combine(_out, "partition.json")));
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
