using Grpc.Core;

namespace FedLmt.Grpc.Tests;

/// <summary>Bearer tokens on every call, per-client tokens, TLS against the development CA, mutual TLS.</summary>
public class SecurityTests
{
    [Theory]
    [InlineData("")]
    [InlineData("wrong-token-0123456789abcdef")]
    public async Task A_call_without_the_right_token_is_refused_and_nothing_registers(string token)
    {
        await using var server = await TestServer.StartAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection(token), 0));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal(0, server.Registry.Count);
    }

    [Fact]
    public async Task A_per_client_token_admits_only_its_own_client()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "tokens.txt");
        File.WriteAllText(file, "# id token\n0 token-of-client-zero-0000\n1 token-of-client-one-11111\n");
        await using var server = await TestServer.StartAsync(tokens: BearerTokens.FromFile(file));
        await using (var own = await RawClient.ConnectAsync(server.Connection("token-of-client-zero-0000"), 0)) Assert.NotNull(own.Welcome);
        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection("token-of-client-zero-0000"), 1));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_servers_CA_does_not_connect()
    {
        await using var server = await TestServer.StartAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection(trustCa: false), 0));
        Assert.Contains("SSL", e.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, server.Registry.Count);
    }

    [Fact]
    public async Task With_mutual_TLS_only_a_client_with_a_CA_signed_certificate_connects()
    {
        await using var server = await TestServer.StartAsync(requireClientCert: true);
        await Assert.ThrowsAnyAsync<Exception>(() => RawClient.ConnectAsync(server.Connection(), 0)); // TLS handshake refused
        await using var client = await RawClient.ConnectAsync(server.Connection(clientCert: true), 0);
        Assert.NotNull(client.Welcome);
    }

    [Fact]
    public async Task A_second_connection_with_a_live_clients_id_is_refused_and_the_first_keeps_its_place()
    {
        // Before: two processes with one id replaced each other back and forth and updates were lost silently.
        await using var server = await TestServer.StartAsync();
        var first = await RawClient.ConnectAsync(server.Connection(), 0);
        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection(), 0));
        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Contains("client 0 is connected already", e.Status.Detail);
        Assert.Equal(1, server.Registry.Count);
        Assert.False(server.Registry.Get(0)!.Closed.IsCancellationRequested);

        // Once the first is gone, the id is free again.
        await first.DisposeAsync();
        await using var second = await RawClient.ConnectAsync(server.Connection(), 0);
        Assert.NotNull(second.Welcome);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://10.1.2.3:0")]
    [InlineData("http://[::]:0")]
    public async Task Cleartext_http_is_refused_on_any_address_but_loopback(string url)
    {
        var endpoint = new ServerEndpointOptions { Url = new Uri(url), Tokens = BearerTokens.Shared(TestServer.Token) };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => DeploymentHost.StartAsync(endpoint, new ClientRegistry(), new OpenAdmission(1)));
        Assert.Contains("cleartext http is allowed only on loopback", e.Message);
        Assert.Contains(url.Replace(":0", ":0/"), e.Message + "/");
    }

    [Fact]
    public async Task Cleartext_http_on_loopback_still_serves_a_client_that_allows_it()
    {
        var endpoint = new ServerEndpointOptions { Url = new Uri("http://127.0.0.1:0"), Tokens = BearerTokens.Shared(TestServer.Token) };
        var registry = new ClientRegistry();
        await using var host = await DeploymentHost.StartAsync(endpoint, registry, new OpenAdmission(1));
        var url = new Uri(host.Addresses[0]);
        // Without --insecure the client will not send its token in clear.
        var refused = Assert.Throws<ArgumentException>(() => new ClientConnectionOptions { Server = url, Token = TestServer.Token }.Validate());
        Assert.Contains("--insecure", refused.Message);
        await using var client = await RawClient.ConnectAsync(new ClientConnectionOptions { Server = url, Token = TestServer.Token, AllowCleartext = true }, 0);
        Assert.NotNull(client.Welcome);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Keys_written_over_looser_files_are_owner_only()
    {
        using var dir = new TempDirectory();
        DevelopmentCertificates.Create(dir.Path);
        string key = Path.Combine(dir.Path, "server.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0644
        string before = File.ReadAllText(key);
        DevelopmentCertificates.Create(dir.Path); // certs --force
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.NotEqual(before, File.ReadAllText(key));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Development_certificates_chain_to_their_CA_and_name_the_loopback_addresses()
    {
        using var dir = new TempDirectory();
        DevelopmentCertificates.Create(dir.Path, ["fl.example"]);
        var ca = TlsFiles.LoadAuthorities(Path.Combine(dir.Path, "ca.crt"));
        using var server = TlsFiles.LoadWithKey(Path.Combine(dir.Path, "server.crt"), Path.Combine(dir.Path, "server.key"));
        using var client = TlsFiles.LoadWithKey(Path.Combine(dir.Path, "client.crt"), Path.Combine(dir.Path, "client.key"));
        Assert.True(TlsFiles.ChainsTo(server, ca));
        Assert.True(TlsFiles.ChainsTo(client, ca));
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.True(server.MatchesHostname("fl.example"));
        using var otherDir = new TempDirectory();
        DevelopmentCertificates.Create(otherDir.Path);
        Assert.False(TlsFiles.ChainsTo(server, TlsFiles.LoadAuthorities(Path.Combine(otherDir.Path, "ca.crt"))));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "server.key")));
    }
}
