using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Runs;
using Microsoft.Extensions.Logging;

namespace FedLmt.Grpc;

/// <summary>
/// The deployment's transport: the connected clients are the available ones; a round waits until enough eligible
/// clients are connected (saying who is missing), a round with too few replies is retried after telling its clients, and
/// each checkpointed round tells its clients that their update counted.
/// </summary>
sealed class DeploymentTransport(ClientRegistry registry, GrpcGrid grid, RunAdmission admission, DeploymentOptions options, int minClients,
    ILogger logger) : IRunTransport
{
    public IClientGrid Grid => grid;
    public IReadOnlyCollection<int> Available => registry.ConnectedIds;
    public int Hosts => registry.HostCount;
    public int MinReplies => options.MinReplies;
    public bool CheckpointEveryRound => true;

    public void BeforeRound(int round, IReadOnlyList<int> eligible, CancellationToken cancellation) =>
        WaitForClients(Math.Min(minClients, eligible.Count), eligible.ToHashSet(), cancellation);

    public void RoundRetried(int round, string why, CancellationToken cancellation)
    {
        grid.PublishOutcomes(round, aggregated: false, $"round {round + 1} retried: {why}");
        cancellation.WaitHandle.WaitOne(options.RetryDelay);
        cancellation.ThrowIfCancellationRequested();
    }

    public void RoundCommitted(int round, bool checkpointed)
    {
        if (checkpointed) grid.PublishOutcomes(round, aggregated: true);
    }

    public void Finished(int completedRounds)
    {
        admission.Finished = new Finished { CompletedRounds = completedRounds };
        foreach (var session in registry.Sessions) session.Send(new ServerMessage { Finished = admission.Finished });
    }

    /// <summary>
    /// Blocks until <paramref name="count"/> eligible clients are connected, saying every <see cref="DeploymentOptions.WaitReport"/>
    /// which are missing: with --min-clients at its default (all), one dead device stalls the run, and that must show.
    /// </summary>
    void WaitForClients(int count, HashSet<int> eligible, CancellationToken cancellation)
    {
        if (registry.ConnectedIds.Count(eligible.Contains) >= count) return;
        logger.LogInformation("Waiting for {Count} eligible clients to connect ({Connected} connected)", count, registry.ConnectedIds.Count(eligible.Contains));
        var waiting = registry.WaitForAsync(count, eligible.Contains, cancellation);
        while (Task.WhenAny(waiting, Task.Delay(options.WaitReport, cancellation)).GetAwaiter().GetResult() != waiting && !waiting.IsCompleted && !cancellation.IsCancellationRequested)
        {
            var connected = registry.ConnectedIds.Where(eligible.Contains).ToHashSet();
            var missing = eligible.Where(id => !connected.Contains(id)).Order().ToList();
            logger.LogWarning("Still waiting for {More} more of {Count} clients ({Connected} connected); not connected: {Missing}{Rest} (--min-clients sets how many a round needs)",
                count - connected.Count, count, connected.Count, string.Join(", ", missing.Take(20)), missing.Count > 20 ? $" and {missing.Count - 20} more" : "");
        }
        waiting.GetAwaiter().GetResult();
    }
}
