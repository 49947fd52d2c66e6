namespace FedLmt.Grpc;

/// <summary>
/// Bounds the calls that are open but not yet registered (each may wait <see cref="FederationService.RegistrationTimeout"/>
/// for its first message): a token holder cannot tie up the server with thousands of silent streams. One per server.
/// </summary>
public sealed class RegistrationGate(int limit = RegistrationGate.DefaultLimit)
{
    /// <summary>Unregistered calls allowed at once by default: far above a fleet reconnecting after a server restart.</summary>
    public const int DefaultLimit = 256;

    int _waiting;

    public int Limit => limit;

    /// <summary>Calls waiting to register now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a place; false when <see cref="Limit"/> calls are already waiting to register.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _waiting) <= limit) return true;
        Interlocked.Decrement(ref _waiting);
        return false;
    }

    /// <summary>Gives the place back (the call registered, was refused, or ended).</summary>
    public void Leave() => Interlocked.Decrement(ref _waiting);
}
