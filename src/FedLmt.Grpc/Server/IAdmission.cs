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
