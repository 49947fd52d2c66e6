using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLmt.Grpc;

/// <summary>
/// A development CA, the server certificate it signs, and one bundle per client id (ECDSA P-256, PEM files). The
/// folder the server keeps: ca.crt, ca.key, server.crt, server.key and tokens.txt ("ID TOKEN" per client); under
/// clients/ID/ the only files device ID needs: ca.crt, its own token.txt, client.crt (subject
/// <c>CN=fedlmt-client-ID</c>, for client authentication only) and client.key - never ca.key or server.key. For trying
/// deployment on one's own machines; a real deployment uses certificates from its own CA, following the same subject rule.
/// </summary>
public static class DevelopmentCertificates
{
    /// <summary>The files the server side keeps, at the top of the folder.</summary>
    public static readonly IReadOnlyList<string> ServerFiles = ["ca.crt", "ca.key", "server.crt", "server.key", TokensFile];

    /// <summary>The files of one client's bundle.</summary>
    public static readonly IReadOnlyList<string> BundleFiles = ["ca.crt", TokenFile, "client.crt", "client.key"];

    /// <summary>The server's token file: one "ID TOKEN" line per client (<see cref="BearerTokens.FromFile"/>).</summary>
    public const string TokensFile = "tokens.txt";

    /// <summary>A bundle's token file: the client's own token alone.</summary>
    public const string TokenFile = "token.txt";

    /// <summary>The folder of client <paramref name="id"/>'s bundle inside a certificates folder.</summary>
    public static string BundleDirectory(string directory, int id) =>
        Path.Combine(directory, "clients", id.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes the CA, the server certificate and a bundle for each of the client ids 0..<paramref name="clients"/>-1
    /// into <paramref name="directory"/>, with fresh tokens. The server certificate names localhost, 127.0.0.1, ::1 and
    /// <paramref name="hosts"/> (DNS names or IP addresses). Valid for <paramref name="days"/> days.
    /// </summary>
    public static void Create(string directory, int clients, IEnumerable<string>? hosts = null, int days = 365)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FedLMT.NET development CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(days + 1));
        string caPem = ca.ExportCertificatePem() + "\n";
        File.WriteAllText(Path.Combine(directory, "ca.crt"), caPem);
        PrivateFile.WriteAllText(Path.Combine(directory, "ca.key"), caKey.ExportPkcs8PrivateKeyPem() + "\n");

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var host in (hosts ?? []).Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()).Distinct())
        {
            if (IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(host);
        }
        Issue(Path.Combine(directory, "server"), "CN=fedlmt server", ca, san.Build(), ClientIdentity.ServerAuthentication, now, days);

        var tokens = new System.Text.StringBuilder("# CLIENT_ID TOKEN: each client's own bearer token (fedlmt server --tokens this file)\n");
        for (int id = 0; id < clients; id++)
        {
            string bundle = BundleDirectory(directory, id);
            CreatePrivateDirectory(bundle);
            string token = BearerTokens.NewToken();
            tokens.Append(CultureInfo.InvariantCulture, $"{id} {token}\n");
            File.WriteAllText(Path.Combine(bundle, "ca.crt"), caPem);
            PrivateFile.WriteAllText(Path.Combine(bundle, TokenFile), token + "\n");
            Issue(Path.Combine(bundle, "client"), ClientIdentity.SubjectFor(id), ca, null, ClientIdentity.ClientAuthentication, now, days);
        }
        PrivateFile.WriteAllText(Path.Combine(directory, TokensFile), tokens.ToString());
    }

    static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static void Issue(string pathWithoutExtension, string subject, X509Certificate2 ca, X509Extension? san, Oid usage, DateTimeOffset now, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null) request.CertificateExtensions.Add(san);
        using var certificate = request.Create(ca, now, now.AddDays(days), RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(pathWithoutExtension + ".crt", certificate.ExportCertificatePem() + "\n");
        PrivateFile.WriteAllText(pathWithoutExtension + ".key", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
