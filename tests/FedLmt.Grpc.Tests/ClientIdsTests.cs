namespace FedLmt.Grpc.Tests;

public class ClientIdsTests
{
    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("0-4", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("8, 0-2,5", new[] { 0, 1, 2, 5, 8 })]
    public void Lists_and_ranges_name_their_ids_ascending(string text, int[] ids)
    {
        Assert.Equal(ids, ClientIds.Parse(text));
        Assert.Equal(ids, ClientIds.Parse(ClientHost.Describe(ids))); // and Describe writes what Parse reads
    }

    [Theory]
    [InlineData("5-2", "'5-2' is not an id or a range")]
    [InlineData("a", "'a' is not an id or a range")]
    [InlineData("-3", "'-3' is not an id or a range")]
    [InlineData("0-3,2", "name 2 more than once")]
    [InlineData("1,,2", "'' is not an id or a range")]
    public void A_bad_list_is_refused_naming_the_part(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ClientIds.Parse(text));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_range_token_admits_exactly_its_range()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(file, "0-249 token-of-host-a-000000000\n250-499 token-of-host-b-000000000\n7 token-of-client-seven-00\n");
        var tokens = BearerTokens.FromFile(file);
        Assert.True(tokens.Accepts("token-of-host-b-000000000", out var scope));
        Assert.Equal(new TokenScope(250, 499), scope);
        Assert.True(scope!.Value.Admits(250) && scope.Value.Admits(499));
        Assert.False(scope.Value.Admits(249) || scope.Value.Admits(500));
        Assert.True(tokens.Accepts("token-of-client-seven-00", out var seven));
        Assert.Equal(new TokenScope(7, 7), seven);
        File.WriteAllText(file, "9-3 token-of-a-reversed-range\n");
        var e = Assert.Throws<ArgumentException>(() => BearerTokens.FromFile(file));
        Assert.Contains("line 1", e.Message);
    }
}
