using FedLmt.Federated;

namespace FedLmt.Runs;

/// <summary>The simulation's transport: every client in this process, always there.</summary>
public sealed class InProcessTransport(InProcessGrid grid, IReadOnlyCollection<int> clients) : IRunTransport
{
    public IClientGrid Grid => grid;
    public IReadOnlyCollection<int> Available => clients;
    public int Hosts => 1;
    public int MinReplies => 0;
    public bool CheckpointEveryRound => false;
    public void BeforeRound(int round, IReadOnlyList<int> eligible, CancellationToken cancellation) { }
    public void RoundRetried(int round, string why, CancellationToken cancellation) =>
        throw new InvalidOperationException($"round {round + 1}: {why}"); // unreachable with MinReplies 0
    public void RoundCommitted(int round, bool checkpointed) { }
    public void Finished(int completedRounds) { }
}
