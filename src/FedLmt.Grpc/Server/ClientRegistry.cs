using System.Collections.Concurrent;
using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>Decides whether a registration is admitted and what the client is told: the run's side of registration.</summary>
public interface IAdmission
{
    /// <summary>Null to admit the client, else the reason it is refused (unknown id, a partition or tier that differs from the run's).</summary>
    string? Refuse(Register registration);

    /// <summary>What an admitted client trains.</summary>
    Welcome WelcomeFor(Register registration);

    /// <summary>Set once the run is over: a client that connects then is told so at once.</summary>
    Finished? Finished { get; }
}

/// <summary>The clients connected now, by id; a client that reconnects replaces its older session.</summary>
public sealed class ClientRegistry
{
    readonly ConcurrentDictionary<int, ClientSession> _sessions = new();
    readonly object _signal = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => _sessions.Count;

    /// <summary>The ids of the connected clients, ascending.</summary>
    public IReadOnlyList<int> ConnectedIds => _sessions.Keys.Order().ToList();

    public ClientSession? Get(int clientId) => _sessions.TryGetValue(clientId, out var s) ? s : null;

    public IReadOnlyCollection<ClientSession> Sessions => _sessions.Values.ToList();

    /// <summary>Adds a session; an older session of the same client is closed.</summary>
    public void Add(ClientSession session)
    {
        ClientSession? old = null;
        _sessions.AddOrUpdate(session.ClientId, session, (_, existing) => { old = existing; return session; });
        old?.Close($"client {session.ClientId} reconnected; its old connection was dropped");
        Pulse();
    }

    /// <summary>Removes a session if it is still the client's current one.</summary>
    public void Remove(ClientSession session)
    {
        if (_sessions.TryRemove(KeyValuePair.Create(session.ClientId, session))) Pulse();
    }

    /// <summary>Waits until at least <paramref name="count"/> of the clients <paramref name="counted"/> accepts (all when null) are connected.</summary>
    public async Task WaitForAsync(int count, Func<int, bool>? counted, CancellationToken cancellation)
    {
        while (true)
        {
            Task changed;
            lock (_signal) changed = _changed.Task;
            if (_sessions.Keys.Count(id => counted?.Invoke(id) ?? true) >= count) return;
            await changed.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    void Pulse()
    {
        TaskCompletionSource previous;
        lock (_signal)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }
}
