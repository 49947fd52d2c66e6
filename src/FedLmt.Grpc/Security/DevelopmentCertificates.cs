using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLmt.Grpc;

/// <summary>
/// A development CA and the server and client certificates it signs (ECDSA P-256), written as PEM files: ca.crt,
/// ca.key, server.crt, server.key, client.crt, client.key. For trying deployment on one's own machines; a real
/// deployment uses certificates from its own CA.
/// </summary>
public static class DevelopmentCertificates
{
    /// <summary>The files <see cref="Create"/> writes.</summary>
    public static readonly IReadOnlyList<string> Files = ["ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key"];

    /// <summary>
    /// Writes the CA and certificates into <paramref name="directory"/>. The server certificate names localhost,
    /// 127.0.0.1, ::1 and <paramref name="hosts"/> (DNS names or IP addresses). Valid for <paramref name="days"/> days.
    /// </summary>
    public static void Create(string directory, IEnumerable<string>? hosts = null, int days = 365)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FedLMT.NET development CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddDays(days + 1));
        Write(directory, "ca", ca, caKey);

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var host in (hosts ?? []).Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()).Distinct())
        {
            if (IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(host);
        }
        Issue(directory, "server", "CN=fedlmt server", ca, san.Build(), new Oid("1.3.6.1.5.5.7.3.1"), now, days);
        Issue(directory, "client", "CN=fedlmt client", ca, null, new Oid("1.3.6.1.5.5.7.3.2"), now, days);
    }

    static void Issue(string directory, string name, string subject, X509Certificate2 ca, X509Extension? san, Oid usage, DateTimeOffset now, int days)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null) request.CertificateExtensions.Add(san);
        using var certificate = request.Create(ca, now, now.AddDays(days), RandomNumberGenerator.GetBytes(16));
        Write(directory, name, certificate, key);
    }

    static void Write(string directory, string name, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(Path.Combine(directory, name + ".crt"), certificate.ExportCertificatePem() + "\n");
        PrivateFile.WriteAllText(Path.Combine(directory, name + ".key"), key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
