using FedLmt.Federated;

namespace FedLmt.Runs;

/// <summary>
/// How a run reaches its clients, and the steps its transport adds around a round: the one place where a simulation and
/// a deployment differ (<see cref="RunLoop"/> is the same for both).
/// </summary>
public interface IRunTransport
{
    /// <summary>Delivers instructions and collects replies.</summary>
    IClientGrid Grid { get; }

    /// <summary>The clients a round may sample and that evaluate now (all of them in a simulation, the connected ones deployed).</summary>
    IReadOnlyCollection<int> Available { get; }

    /// <summary>Processes serving the available clients (1 in a simulation; deployed, client hosts and single devices).</summary>
    int Hosts { get; }

    /// <summary>The fewest replies a round is aggregated with; with fewer it is tried again (0: whatever arrived).</summary>
    int MinReplies { get; }

    /// <summary>Whether every round is checkpointed (a deployment's clients commit what they kept once it is) rather than every checkpoint.every.</summary>
    bool CheckpointEveryRound { get; }

    /// <summary>Blocks until round <paramref name="round"/> may start; throws <see cref="OperationCanceledException"/> when stopped meanwhile.</summary>
    void BeforeRound(int round, IReadOnlyList<int> eligible, CancellationToken cancellation);

    /// <summary>Round <paramref name="round"/> got too few replies and is tried again once this returns (or throws when stopped).</summary>
    void RoundRetried(int round, string why, CancellationToken cancellation);

    /// <summary>Round <paramref name="round"/> is recorded and, when <paramref name="checkpointed"/>, in the checkpoint.</summary>
    void RoundCommitted(int round, bool checkpointed);

    /// <summary>Every planned round is done.</summary>
    void Finished(int completedRounds);
}
