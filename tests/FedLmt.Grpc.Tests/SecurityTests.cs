using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
        await using var client = await RawClient.ConnectAsync(server.Connection(certificateOf: 0), 0);
        Assert.NotNull(client.Welcome);
    }

    [Fact]
    public async Task With_mutual_TLS_a_client_registers_only_as_the_id_its_certificate_names()
    {
        // Before: any CA-signed client certificate admitted any id; with the shared token one device could act as all.
        await using var server = await TestServer.StartAsync(requireClientCert: true, captureLogs: true);
        var e = await Assert.ThrowsAsync<RpcException>(() => RawClient.ConnectAsync(server.Connection(certificateOf: 1), 2));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("CN=fedlmt-client-1", e.Status.Detail);
        Assert.Contains("not client 2's", e.Status.Detail);
        Assert.Equal(0, server.Registry.Count);
        Assert.Contains(server.Logs, l => l.Contains("Refused client 2") && l.Contains("CN=fedlmt-client-1"));

        await using var own = await RawClient.ConnectAsync(server.Connection(certificateOf: 2), 2);
        Assert.NotNull(own.Welcome);
        Assert.Equal(1, server.Registry.Count);
    }

    [Fact]
    public async Task With_mutual_TLS_the_servers_own_certificate_is_not_accepted_as_a_client_certificate()
    {
        // Before: the server certificate (extended key usage serverAuth only) chained to the same CA and was accepted.
        await using var server = await TestServer.StartAsync(requireClientCert: true, captureLogs: true);
        var serverCert = server.Connection() with
        {
            CertificatePath = Path.Combine(server.CertsDir, "server.crt"),
            KeyPath = Path.Combine(server.CertsDir, "server.key"),
        };
        await Assert.ThrowsAnyAsync<Exception>(() => RawClient.ConnectAsync(serverCert, 0));
        Assert.Equal(0, server.Registry.Count);
        Assert.Contains(server.Logs, l => l.Contains("Refused a TLS handshake") && l.Contains("CN=fedlmt server") && l.Contains("client authentication"));
    }

    [Fact]
    public async Task With_mutual_TLS_a_client_certificate_that_names_no_client_id_is_refused_in_the_handshake()
    {
        await using var server = await TestServer.StartAsync(requireClientCert: true, captureLogs: true);
        using var dir = new TempDirectory();
        var (crt, key) = IssueClientCertificate(server.CertsDir, "CN=some laptop", dir.Path);
        await Assert.ThrowsAnyAsync<Exception>(() => RawClient.ConnectAsync(server.Connection() with { CertificatePath = crt, KeyPath = key }, 0));
        Assert.Equal(0, server.Registry.Count);
        Assert.Contains(server.Logs, l => l.Contains("Refused a TLS handshake") && l.Contains("names no client id"));

        // The same CA, usage and key type with the subject the rule asks for is accepted: the subject was the reason.
        var (goodCrt, goodKey) = IssueClientCertificate(server.CertsDir, "CN=fedlmt-client-3", dir.Path);
        await using var client = await RawClient.ConnectAsync(server.Connection() with { CertificatePath = goodCrt, KeyPath = goodKey }, 3);
        Assert.NotNull(client.Welcome);
    }

    /// <summary>A client-authentication certificate with <paramref name="subject"/>, signed by the folder's development CA.</summary>
    static (string Crt, string Key) IssueClientCertificate(string certsDir, string subject, string outDir)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(certsDir, "ca.crt"), Path.Combine(certsDir, "ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientIdentity.ClientAuthentication], false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var certificate = request.Create(ca, now, now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        string name = Path.Combine(outDir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(name + ".crt", certificate.ExportCertificatePem());
        File.WriteAllText(name + ".key", key.ExportPkcs8PrivateKeyPem());
        return (name + ".crt", name + ".key");
    }

    [Theory]
    [InlineData("CN=fedlmt-client-0", 0)]
    [InlineData("CN=fedlmt-client-12", 12)]
    [InlineData("CN=fedlmt-client-999999999", 999999999)]
    [InlineData("CN=fedlmt-client-", null)]
    [InlineData("CN=fedlmt-client-1x", null)]
    [InlineData("CN=fedlmt-client--1", null)]
    [InlineData("CN=fedlmt-client-9999999999", null)]
    [InlineData("CN=fedlmt-client- 1", null)]
    [InlineData("CN=Fedlmt-client-1", null)]
    [InlineData("CN=fedlmt client", null)]
    public void A_certificates_client_id_is_read_from_its_common_name_only_in_the_exact_form(string subject, int? id)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(id, ClientIdentity.IdOf(certificate));
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
        DevelopmentCertificates.Create(dir.Path, clients: 2);
        string key = Path.Combine(dir.Path, "server.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0644
        string before = File.ReadAllText(key);
        DevelopmentCertificates.Create(dir.Path, clients: 2); // certs --force
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.NotEqual(before, File.ReadAllText(key));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Development_certificates_chain_to_their_CA_and_name_the_loopback_addresses()
    {
        using var dir = new TempDirectory();
        DevelopmentCertificates.Create(dir.Path, clients: 1, ["fl.example"]);
        var ca = TlsFiles.LoadAuthorities(Path.Combine(dir.Path, "ca.crt"));
        using var server = TlsFiles.LoadWithKey(Path.Combine(dir.Path, "server.crt"), Path.Combine(dir.Path, "server.key"));
        string bundle = DevelopmentCertificates.BundleDirectory(dir.Path, 0);
        using var client = TlsFiles.LoadWithKey(Path.Combine(bundle, "client.crt"), Path.Combine(bundle, "client.key"));
        Assert.True(TlsFiles.ChainsTo(server, ca, ClientIdentity.ServerAuthentication));
        Assert.True(TlsFiles.ChainsTo(client, ca, ClientIdentity.ClientAuthentication));
        // Each is good for its own side only.
        Assert.False(TlsFiles.ChainsTo(server, ca, ClientIdentity.ClientAuthentication));
        Assert.False(TlsFiles.ChainsTo(client, ca, ClientIdentity.ServerAuthentication));
        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("127.0.0.1"));
        Assert.True(server.MatchesHostname("fl.example"));
        using var otherDir = new TempDirectory();
        DevelopmentCertificates.Create(otherDir.Path, clients: 1);
        Assert.False(TlsFiles.ChainsTo(server, TlsFiles.LoadAuthorities(Path.Combine(otherDir.Path, "ca.crt"))));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "server.key")));
    }

    [Fact]
    public void Each_client_bundle_holds_only_what_its_device_needs_and_its_token_admits_only_its_id()
    {
        using var dir = new TempDirectory();
        DevelopmentCertificates.Create(dir.Path, clients: 3);
        var serverTokens = BearerTokens.FromFile(Path.Combine(dir.Path, DevelopmentCertificates.TokensFile));
        var seen = new HashSet<string>();
        for (int id = 0; id < 3; id++)
        {
            string bundle = DevelopmentCertificates.BundleDirectory(dir.Path, id);
            Assert.Equal(["ca.crt", "client.crt", "client.key", "token.txt"], Directory.GetFileSystemEntries(bundle).Select(Path.GetFileName).Order());
            Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "ca.crt")), File.ReadAllText(Path.Combine(bundle, "ca.crt")));
            string token = File.ReadAllText(Path.Combine(bundle, "token.txt")).Trim();
            Assert.True(seen.Add(token));
            Assert.True(serverTokens.Accepts(token, out var admitted));
            Assert.Equal(new TokenScope(id, id), admitted);
            using var certificate = TlsFiles.LoadWithKey(Path.Combine(bundle, "client.crt"), Path.Combine(bundle, "client.key"));
            Assert.Equal(id, ClientIdentity.IdOf(certificate));
            Assert.Null(ClientIdentity.Refuse(certificate));
            if (!OperatingSystem.IsWindows())
            {
                var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(bundle, "client.key")));
                Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(bundle, "token.txt")));
                Assert.Equal(ownerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(bundle));
            }
        }
        // No token is shared: the server's file has exactly one line per client.
        Assert.Equal(3, File.ReadLines(Path.Combine(dir.Path, DevelopmentCertificates.TokensFile)).Count(l => !l.StartsWith('#')));
        Assert.False(serverTokens.Accepts(BearerTokens.NewToken(), out _));
    }

    [Fact]
    public void A_new_token_never_starts_with_a_dash_that_a_command_line_would_read_as_an_option()
    {
        // Base64url starts with '-' one draw in 64: 4,096 draws would meet it about 64 times, and miss it with
        // probability (63/64)^4096 < 1e-27.
        var tokens = Enumerable.Range(0, 4096).Select(_ => BearerTokens.NewToken()).ToList();
        Assert.All(tokens, t => Assert.NotEqual('-', t[0]));
        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{43}$", t));
        Assert.Contains(tokens, t => t.Contains('-')); // still the whole URL-safe alphabet, only not first
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }
}
