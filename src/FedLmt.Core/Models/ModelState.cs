using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// A model's state as stable names -> tensors (parameters and, when tracked, BatchNorm statistics): what travels
/// between server and clients.
/// </summary>
public static class ModelState
{
    /// <summary>Detached copies of every state entry, owned by the caller (state_dict() returns live references).</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        var snapshot = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
            snapshot[name] = tensor.clone().DetachFromDisposeScope(); // under no_grad the clone carries no graph
        return snapshot;
    }

    /// <summary>Names and shapes of every state entry, in the model's order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Layout(nn.Module model) =>
        model.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToList();

    /// <summary>
    /// Copies <paramref name="state"/> into the model. With <paramref name="partial"/> false every entry of the model
    /// must be present; in both modes unknown names and shape mismatches are refused, naming them.
    /// </summary>
    public static void Load(nn.Module model, IReadOnlyDictionary<string, Tensor> state, bool partial = false)
    {
        var target = model.state_dict();
        var unknown = state.Keys.Where(k => !target.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"state has entries the model does not: {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? $" (+{unknown.Count - 5} more)" : "")}");
        if (!partial)
        {
            var missing = target.Keys.Where(k => !state.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new ArgumentException($"state lacks entries the model has: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" (+{missing.Count - 5} more)" : "")}");
        }
        using var noGrad = torch.no_grad();
        foreach (var (name, value) in state)
        {
            var dest = target[name];
            if (!dest.shape.SequenceEqual(value.shape))
                throw new ArgumentException($"state entry '{name}' has shape ({string.Join(", ", value.shape)}); the model expects ({string.Join(", ", dest.shape)})");
            dest.copy_(value);
        }
    }

    /// <summary>Disposes every tensor of a state.</summary>
    public static void Dispose(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var t in state.Values) t.Dispose();
    }
}
