using System.Collections.Concurrent;
using FedLmt.Grpc.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc.Tests;

/// <summary>A real gRPC server on 127.0.0.1 (TLS with fresh development certificates, a shared token) around a registry and grid.</summary>
sealed class TestServer : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef";

    readonly TempDirectory _dir = new();

    TestServer() { }

    public ClientRegistry Registry { get; } = new();
    public GrpcGrid Grid { get; private set; } = null!;
    public DeploymentHost Host { get; private set; } = null!;
    public string Url => Host.Addresses[0];
    public string CertsDir => Path.Combine(_dir.Path, "certs");
    public string CaPath => Path.Combine(CertsDir, "ca.crt");

    /// <summary>What the server logged (warnings and above), when started with <c>captureLogs</c>.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public static async Task<TestServer> StartAsync(IAdmission? admission = null, BearerTokens? tokens = null, bool requireClientCert = false,
        int maxUnregisteredCalls = RegistrationGate.DefaultLimit, bool captureLogs = false)
    {
        var server = new TestServer();
        DevelopmentCertificates.Create(server.CertsDir, clients: 8);
        server.Grid = new GrpcGrid(server.Registry) { RoundTimeout = TimeSpan.FromSeconds(20) };
        server.Host = await DeploymentHost.StartAsync(new ServerEndpointOptions
        {
            Url = new Uri("https://127.0.0.1:0"),
            CertificatePath = Path.Combine(server.CertsDir, "server.crt"),
            KeyPath = Path.Combine(server.CertsDir, "server.key"),
            ClientCaPath = requireClientCert ? server.CaPath : null,
            Tokens = tokens ?? BearerTokens.Shared(Token),
            MaxUnregisteredCalls = maxUnregisteredCalls,
        }, server.Registry, admission ?? new OpenAdmission(8),
            captureLogs ? logging => logging.AddProvider(new QueueLoggerProvider(server.Logs)) : null);
        return server;
    }

    /// <summary>How a client connects: with <paramref name="certificateOf"/>, presenting that client id's certificate (mutual TLS).</summary>
    public ClientConnectionOptions Connection(string token = Token, bool trustCa = true, int? certificateOf = null) => new()
    {
        Server = new Uri(Url),
        Token = token,
        CaPath = trustCa ? CaPath : null,
        CertificatePath = certificateOf is { } id ? Path.Combine(DevelopmentCertificates.BundleDirectory(CertsDir, id), "client.crt") : null,
        KeyPath = certificateOf is { } own ? Path.Combine(DevelopmentCertificates.BundleDirectory(CertsDir, own), "client.key") : null,
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromSeconds(1),
    };

    /// <summary>Waits until <paramref name="count"/> clients are registered.</summary>
    public void WaitForClients(int count)
    {
        Registry.WaitForAsync(count, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A deployed run's server in this process: a <see cref="DeploymentHost"/> over TLS on loopback serving a runner.</summary>
static class InProcessDeployment
{
    /// <summary>
    /// Starts the host for <paramref name="runner"/> with development certificates written under <paramref name="directory"/>
    /// and the shared <see cref="TestServer.Token"/>; returns it and how clients connect to it (short backoff).
    /// </summary>
    public static async Task<(DeploymentHost Host, ClientConnectionOptions Connection)> StartAsync(DeploymentRunner runner, string directory, int clients)
    {
        string certs = Path.Combine(directory, "certs");
        DevelopmentCertificates.Create(certs, clients);
        var host = await DeploymentHost.StartAsync(new ServerEndpointOptions
        {
            Url = new Uri("https://127.0.0.1:0"),
            CertificatePath = Path.Combine(certs, "server.crt"),
            KeyPath = Path.Combine(certs, "server.key"),
            Tokens = BearerTokens.Shared(TestServer.Token),
        }, runner.Registry, runner.Admission);
        return (host, new ClientConnectionOptions
        {
            Server = new Uri(host.Addresses[0]), Token = TestServer.Token, CaPath = Path.Combine(certs, "ca.crt"),
            InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1),
        });
    }
}

/// <summary>
/// A hand-driven client speaking the protocol directly: registers, receives a task, and answers with whatever the test
/// crafts (a faithful echo, or something malformed). The adversary the server must survive.
/// </summary>
sealed class RawClient : IAsyncDisposable
{
    readonly GrpcChannel _channel;
    readonly AsyncDuplexStreamingCall<ClientMessage, ServerMessage> _call;

    RawClient(GrpcChannel channel, AsyncDuplexStreamingCall<ClientMessage, ServerMessage> call)
    {
        _channel = channel;
        _call = call;
    }

    public Welcome? Welcome { get; private set; }

    /// <summary>Connects and registers; throws the server's RpcException if refused.</summary>
    public static async Task<RawClient> ConnectAsync(ClientConnectionOptions options, int clientId, long trainExamples = 10, long testExamples = 5)
    {
        var channel = ClientChannels.Create(options);
        var call = new Federation.FederationClient(channel).Connect(ClientChannels.Authorization(options.Token));
        var client = new RawClient(channel, call);
        try
        {
            try
            {
                await call.RequestStream.WriteAsync(new ClientMessage
                {
                    Register = new Register { ClientId = clientId, TrainExamples = trainExamples, TestExamples = testExamples, Tier = "t" },
                });
            }
            catch (RpcException)
            {
                // The server may end the call (refusing it) before the registration is written; the write then fails
                // with a generic status, and the server's own status is what reading the response gives.
            }
            Assert.True(await call.ResponseStream.MoveNext());
            client.Welcome = call.ResponseStream.Current.Welcome;
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next task and its payload.</summary>
    public async Task<(TaskHeader Task, TensorPayload Payload)> ReceiveTaskAsync()
    {
        Assert.True(await _call.ResponseStream.MoveNext());
        var task = _call.ResponseStream.Current.Task;
        Assert.NotNull(task);
        var assembler = PayloadAssembler.Create(task.Tensors, long.MaxValue, out _)!;
        while (!assembler.IsComplete)
        {
            Assert.True(await _call.ResponseStream.MoveNext());
            var chunk = _call.ResponseStream.Current.Chunk;
            Assert.Null(assembler.Append(chunk.Offset, chunk.Data.Span));
        }
        return (task, assembler.ToPayload());
    }

    public Task SendAsync(ClientMessage message) => _call.RequestStream.WriteAsync(message);

    /// <summary>The next message from the server, whatever it is.</summary>
    public async Task<ServerMessage> ReceiveAsync()
    {
        Assert.True(await _call.ResponseStream.MoveNext());
        return _call.ResponseStream.Current;
    }

    /// <summary>Replies with <paramref name="payload"/> as a training update.</summary>
    public async Task ReplyAsync(TaskHeader task, TensorPayload payload, long numExamples = 10, int? round = null, Action<ReplyHeader>? edit = null)
    {
        var reply = new ReplyHeader { TaskId = task.TaskId, Round = round ?? task.Round, NumExamples = numExamples };
        reply.Metrics["train_loss"] = 0.5;
        reply.Metrics["train_accuracy"] = 0.75;
        reply.Tensors.AddRange(payload.Headers);
        edit?.Invoke(reply);
        await SendAsync(new ClientMessage { Reply = reply });
        foreach (var chunk in payload.Chunks(task.TaskId)) await SendAsync(new ClientMessage { Chunk = chunk });
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        await _channel.ShutdownAsync();
        _channel.Dispose();
    }
}

sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fedlmt-grpc-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Collects formatted log lines of warning level and above.</summary>
sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

    public void Dispose() { }

    sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue(formatter(state, exception));
        }
    }
}
