using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc;

/// <summary>How the server listens: address, TLS files, tokens, message limit.</summary>
public sealed record ServerEndpointOptions
{
    /// <summary>https://HOST:PORT (TLS) or http://HOST:PORT (cleartext HTTP/2, for benchmarks on loopback only); port 0 picks a free one.</summary>
    public required Uri Url { get; init; }

    /// <summary>PEM server certificate and key; required for https.</summary>
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }

    /// <summary>
    /// PEM CA file: when set, clients must present a certificate it signed for client authentication, naming their id
    /// (mutual TLS; <see cref="ClientIdentity"/>).
    /// </summary>
    public string? ClientCaPath { get; init; }

    public required BearerTokens Tokens { get; init; }

    /// <summary>The largest single message accepted (a chunk is at most 64 KiB of tensor bytes).</summary>
    public int MaxReceiveMessageBytes { get; init; } = 4 << 20;

    /// <summary>Calls that may be open at once without having registered yet (<see cref="RegistrationGate"/>).</summary>
    public int MaxUnregisteredCalls { get; init; } = RegistrationGate.DefaultLimit;
}

/// <summary>Kestrel serving <see cref="FederationService"/> over HTTP/2, with bearer-token checks on every call.</summary>
public sealed class DeploymentHost : IAsyncDisposable
{
    readonly WebApplication _app;

    DeploymentHost(WebApplication app, IReadOnlyList<string> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The addresses listened on, with the real port when 0 was asked for.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public ILoggerFactory LoggerFactory => _app.Services.GetRequiredService<ILoggerFactory>();

    /// <summary>The bound on calls waiting to register.</summary>
    public RegistrationGate Gate => _app.Services.GetRequiredService<RegistrationGate>();

    public static async Task<DeploymentHost> StartAsync(ServerEndpointOptions options, ClientRegistry registry, IAdmission admission,
        Action<ILoggingBuilder>? logging = null, CancellationToken cancellation = default)
    {
        bool tls = options.Url.Scheme switch
        {
            "https" => true,
            "http" => false,
            _ => throw new ArgumentException($"--urls {options.Url}: the scheme must be https (or http for a loopback benchmark)"),
        };
        var address = options.Url.Host is "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(options.Url.Host.Trim('[', ']'), out var ip) ? ip
            : throw new ArgumentException($"--urls {options.Url}: the host must be an IP address or localhost");
        if (!tls && !IPAddress.IsLoopback(address))
            throw new ArgumentException($"--urls {options.Url}: cleartext http is allowed only on loopback (127.0.0.1, ::1, localhost), where no token crosses a network; use https with --certs");
        X509Certificate2? certificate = null;
        X509Certificate2Collection? clientAuthorities = null;
        if (tls)
        {
            if (options.CertificatePath is null || options.KeyPath is null)
                throw new ArgumentException("https needs a server certificate and key (--cert, --key; `fedlmt certs` makes development ones)");
            certificate = TlsFiles.LoadWithKey(options.CertificatePath, options.KeyPath);
            if (options.ClientCaPath is not null) clientAuthorities = TlsFiles.LoadAuthorities(options.ClientCaPath);
        }
        else if (options.ClientCaPath is not null) throw new ArgumentException("client certificates need https");

        RefusalLog? refusals = null; // the server's, once it is built; a handshake cannot start before
        bool AcceptClient(X509Certificate2 certificate)
        {
            string? why = !TlsFiles.ChainsTo(certificate, clientAuthorities!, ClientIdentity.ClientAuthentication)
                ? $"certificate '{certificate.Subject}' does not chain to the client CA for client authentication (foreign, expired or not for clients)"
                : ClientIdentity.Refuse(certificate);
            if (why is not null) refusals?.Refused("Refused a TLS handshake: {Why}", why);
            return why is null;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Dead peers are found by HTTP/2 pings even when no round is running.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(30);
            kestrel.Listen(address, options.Url.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (!tls) return;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = clientAuthorities is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = clientAuthorities is null ? null : (cert, _, _) => AcceptClient(cert),
                });
            });
        });
        // The host must not act on SIGINT/SIGTERM itself (ASP.NET's console lifetime would stop serving, or swallow the
        // signal): the command that owns the run decides, finishes the round, checkpoints and then disposes the host.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(new RegistrationGate(options.MaxUnregisteredCalls));
        builder.Services.AddSingleton<RefusalLog>();
        builder.Services.AddSingleton(admission);
        builder.Services.AddSingleton(options.Tokens);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<BearerTokenInterceptor>();
        });
        var app = builder.Build();
        refusals = app.Services.GetRequiredService<RefusalLog>();
        app.MapGrpcService<FederationService>();
        await app.StartAsync(cancellation).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        return new DeploymentHost(app, addresses);
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(grace.Token).ConfigureAwait(false); }
        finally { await _app.DisposeAsync().ConfigureAwait(false); }
    }
}

/// <summary>A host lifetime that starts at once and handles no process signals (see <see cref="DeploymentHost"/>).</summary>
sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
