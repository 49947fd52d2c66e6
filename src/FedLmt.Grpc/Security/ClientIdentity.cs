using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLmt.Grpc;

/// <summary>
/// What a client certificate must say under mutual TLS: an extended key usage that includes client authentication (a
/// server certificate signed by the same CA is not a client's), and the client id as its subject's common name,
/// <c>CN=fedlmt-client-ID</c>. The server admits a registration only for the id its certificate names.
/// </summary>
public static class ClientIdentity
{
    /// <summary>The prefix of a client certificate's common name; the id follows.</summary>
    public const string CommonNamePrefix = "fedlmt-client-";

    /// <summary>id-kp-clientAuth (RFC 5280).</summary>
    public static Oid ClientAuthentication => new("1.3.6.1.5.5.7.3.2");

    /// <summary>id-kp-serverAuth (RFC 5280).</summary>
    public static Oid ServerAuthentication => new("1.3.6.1.5.5.7.3.1");

    /// <summary>The subject a certificate for client <paramref name="id"/> carries.</summary>
    public static string SubjectFor(int id) => $"CN={CommonNamePrefix}{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The client id a certificate names (<c>CN=fedlmt-client-ID</c>), or null when its subject names none.</summary>
    public static int? IdOf(X509Certificate2 certificate)
    {
        string name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return name.StartsWith(CommonNamePrefix, StringComparison.Ordinal)
               && name.Length > CommonNamePrefix.Length && name.Length <= CommonNamePrefix.Length + 9
               && name.AsSpan(CommonNamePrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0
            ? int.Parse(name.AsSpan(CommonNamePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Whether the certificate's extended key usage lists <paramref name="usage"/> (a certificate without the extension lists nothing).</summary>
    public static bool HasUsage(X509Certificate2 certificate, Oid usage) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage.Value));

    /// <summary>Why a client certificate that chains to the CA is still not a client's (null when it is one).</summary>
    public static string? Refuse(X509Certificate2 certificate) =>
        !HasUsage(certificate, ClientAuthentication)
            ? $"certificate '{certificate.Subject}' is not for client authentication (its extended key usage lacks clientAuth)"
            : IdOf(certificate) is null
                ? $"certificate '{certificate.Subject}' names no client id (its subject must be CN={CommonNamePrefix}ID)"
                : null;
}
