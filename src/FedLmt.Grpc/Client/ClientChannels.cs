using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace FedLmt.Grpc;

/// <summary>gRPC channels to a FedLMT server: TLS trusting the configured CA, an optional client certificate, HTTP/2 keep-alive pings.</summary>
public static class ClientChannels
{
    /// <summary>The HTTP/2 receive window of a client's call: how much the server may send ahead of the client's reading.</summary>
    public const int InitialWindowBytes = 8 << 20;

    /// <summary>A channel to the server; refuses an http URL unless cleartext was allowed, since the token would cross in clear.</summary>
    public static GrpcChannel Create(ClientConnectionOptions options)
    {
        options.Validate();
        var ssl = new SslClientAuthenticationOptions();
        if (options.CaPath is not null) ssl.RemoteCertificateValidationCallback = TlsFiles.TrustOnly(TlsFiles.LoadAuthorities(options.CaPath));
        if (options.CertificatePath is not null)
        {
            if (options.KeyPath is null) throw new ArgumentException("a client certificate needs its key (--key)");
            ssl.ClientCertificates = new X509CertificateCollection { TlsFiles.LoadWithKey(options.CertificatePath, options.KeyPath) };
        }
        var handler = new SocketsHttpHandler
        {
            SslOptions = ssl,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // A silent server (its machine gone) is noticed by pings rather than at the next round.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            // The default 64 KiB stream window makes the server wait for a window update every 64 KiB of a model;
            // a window of several chunks lets it stream a whole small model, or keep a large one flowing, unbroken.
            InitialHttp2StreamWindowSize = InitialWindowBytes,
            // A client host keeps one call per client id open; past the server's streams per connection (Kestrel: 100)
            // further connections open, so 250 ids travel over 3.
            EnableMultipleHttp2Connections = true,
        };
        return GrpcChannel.ForAddress(options.Server, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>The call metadata that carries the bearer token.</summary>
    public static Metadata Authorization(string token) => new() { { "authorization", $"Bearer {token}" } };
}
