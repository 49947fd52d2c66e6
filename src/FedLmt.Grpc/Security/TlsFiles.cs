using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLmt.Grpc;

/// <summary>Certificates from PEM files, and checking a peer's certificate against a CA given as a file (not the system store).</summary>
public static class TlsFiles
{
    /// <summary>A certificate with its private key from a PEM certificate file and a PEM key file.</summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        RequireFile(certificatePath, "certificate");
        RequireFile(keyPath, "private key");
        return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
    }

    /// <summary>The certificates of a PEM file (a CA, or a bundle).</summary>
    public static X509Certificate2Collection LoadAuthorities(string path)
    {
        RequireFile(path, "CA certificate");
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        if (collection.Count == 0) throw new ArgumentException($"{path} holds no PEM certificate");
        return collection;
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and to nothing else the
    /// system trusts), is valid now, is allowed <paramref name="usage"/> by every certificate of its chain that restricts
    /// extended key usage, and - when <paramref name="nameMismatch"/> - was not refused for its host name.
    /// </summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities, Oid? usage = null, bool nameMismatch = false)
    {
        if (nameMismatch) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (usage is not null) chain.ChainPolicy.ApplicationPolicy.Add(usage);
        return chain.Build(certificate);
    }

    /// <summary>A client-side validation callback that trusts exactly the CA file's certificates, as servers.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2Collection authorities) =>
        (_, certificate, _, errors) => certificate is not null
            && ChainsTo(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), authorities,
                ClientIdentity.ServerAuthentication, errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));

    static void RequireFile(string path, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} file {path} does not exist", path);
    }
}
