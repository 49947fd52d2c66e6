using System.Collections.Concurrent;
using FedLmt.Grpc.Protocol;

namespace FedLmt.Grpc;

/// <summary>The clients connected now, by id; a reconnecting client takes its old session's place once that has ended.</summary>
public sealed class ClientRegistry
{
    readonly ConcurrentDictionary<int, ClientSession> _sessions = new();
    readonly object _signal = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => _sessions.Count;

    /// <summary>Processes serving the connected clients: client hosts, and devices that serve themselves.</summary>
    public int HostCount => _sessions.Values.Select(s => s.Host).Distinct(StringComparer.Ordinal).Count();

    /// <summary>The ids of the connected clients, ascending.</summary>
    public IReadOnlyList<int> ConnectedIds => _sessions.Keys.Order().ToList();

    public ClientSession? Get(int clientId) => _sessions.TryGetValue(clientId, out var s) ? s : null;

    public IReadOnlyCollection<ClientSession> Sessions => _sessions.Values.ToList();

    /// <summary>
    /// Adds a session unless the client is connected already. A session of the same id that is ending (its call closed,
    /// not yet removed) is replaced; one still live gets <paramref name="grace"/> to end (a reconnect racing the cleanup of
    /// its old call) and otherwise stays: a second process with the same id is refused, not allowed to replace the
    /// first back and forth while updates are lost. Returns the live session that kept the id, or null once added.
    /// </summary>
    public async Task<ClientSession?> TryAddAsync(ClientSession session, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        while (true)
        {
            if (_sessions.TryAdd(session.ClientId, session))
            {
                Pulse();
                return null;
            }
            if (!_sessions.TryGetValue(session.ClientId, out var existing)) continue;
            if (existing.Closed.IsCancellationRequested)
            {
                if (_sessions.TryUpdate(session.ClientId, session, existing))
                {
                    Pulse();
                    return null;
                }
                continue;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return existing;
            try { await Task.Delay(left, existing.Closed).ConfigureAwait(false); }
            catch (OperationCanceledException) { } // it ended: take its place
        }
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
