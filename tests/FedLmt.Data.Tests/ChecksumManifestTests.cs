using System.Text;

namespace FedLmt.Data.Tests;

public class ChecksumManifestTests
{
    // SHA-256("abc") from FIPS 180-2, appendix B.1.
    private const string AbcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void Hash_matches_the_published_test_vector()
    {
        Assert.Equal(AbcHash, ChecksumManifest.Hash("abc"u8));
    }

    [Fact]
    public void Formats_lines_like_sha256sum_and_parses_them_back()
    {
        var manifest = ChecksumManifest.Create([new("b.bin", Encoding.ASCII.GetBytes("abc")), new("a.bin", [])]);

        var text = manifest.Format();
        var parsed = ChecksumManifest.Parse(text, "m");

        Assert.Equal(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.bin\n" + AbcHash + "  b.bin\n", text);
        Assert.Equal(manifest.Hashes, parsed.Hashes);
    }

    [Fact]
    public void Accepts_binary_mode_lines_and_upper_case_hex()
    {
        var parsed = ChecksumManifest.Parse(AbcHash.ToUpperInvariant() + " *file.gz\r\n", "m");

        // The '*' marks binary mode (sha256sum -b): it is not part of the name, and the hash is kept in lower case.
        var entry = Assert.Single(parsed.Hashes);
        Assert.Equal(("file.gz", AbcHash), (entry.Key, entry.Value));
        parsed.Verify("file.gz", "abc"u8);
        Assert.Throws<InvalidDataException>(() => parsed.Verify("file.gz", "abd"u8));
    }

    [Fact]
    public void Mismatch_names_the_file_the_expected_and_the_found_hash()
    {
        var manifest = ChecksumManifest.Parse(AbcHash + "  data.gz\n", "/x/SHA256SUMS");

        var ex = Assert.Throws<InvalidDataException>(() => manifest.Verify("data.gz", "abd"u8));

        Assert.Contains("'data.gz'", ex.Message);
        Assert.Contains(AbcHash, ex.Message);
        Assert.Contains(ChecksumManifest.Hash("abd"u8), ex.Message);
        Assert.Contains("/x/SHA256SUMS", ex.Message);
    }

    [Fact]
    public void Refuses_a_file_the_manifest_does_not_list()
    {
        var manifest = ChecksumManifest.Parse(AbcHash + "  data.gz\n", "m");

        var ex = Assert.Throws<InvalidDataException>(() => manifest.Verify("other.gz", "abc"u8));

        Assert.Contains("no entry for 'other.gz'", ex.Message);
    }

    [Theory]
    [InlineData("nothex  file")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Refuses_malformed_lines_with_the_line_number(string line)
    {
        var ex = Assert.Throws<InvalidDataException>(() => ChecksumManifest.Parse("\n" + line + "\n", "m"));

        Assert.Contains("line 2", ex.Message);
    }
}
