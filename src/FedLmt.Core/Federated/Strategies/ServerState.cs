namespace FedLmt.Federated;

/// <summary>
/// A strategy's state as plain data, for checkpoints: rounds done, the global tensors, tensors held per client
/// (pFedLMT's custom parameters), tensors shared by a group (pFedLMT's per-tier starting point), and scalars. Owns its tensors.
/// </summary>
public sealed record ServerState(
    string Strategy,
    int CompletedRounds,
    NamedTensors Global,
    IReadOnlyDictionary<int, NamedTensors> PerClient,
    IReadOnlyDictionary<string, NamedTensors> Shared,
    IReadOnlyDictionary<string, double> Scalars) : IDisposable
{
    public void Dispose()
    {
        Global.Dispose();
        foreach (var t in PerClient.Values) t.Dispose();
        foreach (var t in Shared.Values) t.Dispose();
    }
}
