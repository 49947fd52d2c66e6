namespace FedLmt.Federated;

/// <summary>
/// The transport between server and clients: delivers instructions and collects replies. In-process for simulation,
/// gRPC for deployment; strategies cannot tell which. Synchronous, because tensor work is (dispose scopes are per thread).
/// </summary>
public interface IClientGrid
{
    /// <summary>
    /// Delivers each instruction to its client and waits for all. Every instruction ends as exactly one reply or one
    /// failure; replies come in instruction order, whatever order clients finished in.
    /// </summary>
    GridResult<TrainReply> Train(IReadOnlyList<TrainInstruction> instructions);

    /// <summary>Delivers evaluation instructions; same guarantees as <see cref="Train"/>.</summary>
    GridResult<EvaluateReply> Evaluate(IReadOnlyList<EvaluateInstruction> instructions);
}

/// <summary>The replies that arrived and the clients that failed; disposing it disposes the replies' tensors.</summary>
public sealed record GridResult<TReply>(IReadOnlyList<TReply> Replies, IReadOnlyList<ClientFailure> Failures) : IDisposable
{
    public void Dispose()
    {
        foreach (var reply in Replies) (reply as IDisposable)?.Dispose();
    }
}
