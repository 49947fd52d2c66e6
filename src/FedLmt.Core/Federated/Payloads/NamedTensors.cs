using System.Collections;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// Tensors by name, in a fixed order: the parameters that travel between server and clients. An owning map disposes
/// its tensors; a borrowed view (<see cref="View"/>, <see cref="Where"/>) only points at tensors someone else owns.
/// </summary>
public sealed class NamedTensors : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    readonly Dictionary<string, Tensor> _map;
    readonly List<string> _order;
    bool _disposed;

    NamedTensors(IEnumerable<KeyValuePair<string, Tensor>> entries, bool owns)
    {
        _map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        _order = [];
        foreach (var (name, tensor) in entries)
        {
            if (!_map.TryAdd(name, tensor)) throw new ArgumentException($"duplicate tensor name '{name}'");
            _order.Add(name);
        }
        OwnsTensors = owns;
    }

    /// <summary>An empty map.</summary>
    public static NamedTensors Empty => new([], owns: true);

    /// <summary>Takes ownership of <paramref name="entries"/>: they leave any dispose scope and die with this map.</summary>
    public static NamedTensors Own(IEnumerable<KeyValuePair<string, Tensor>> entries)
    {
        var list = entries.ToList();
        foreach (var (_, t) in list) t.DetachFromDisposeScope();
        return new NamedTensors(list, owns: true);
    }

    /// <summary>A view of tensors owned elsewhere; disposing it leaves them alone.</summary>
    public static NamedTensors Borrow(IEnumerable<KeyValuePair<string, Tensor>> entries) => new(entries, owns: false);

    /// <summary>Owned copies of every state entry of a model (parameters and buffers, in state_dict order).</summary>
    public static NamedTensors Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        return Own(model.state_dict().Select(kv => KeyValuePair.Create(kv.Key, kv.Value.clone())));
    }

    /// <summary>Whether disposing this map disposes its tensors.</summary>
    public bool OwnsTensors { get; }

    /// <summary>Names in order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>Total number of elements.</summary>
    public long Elements => _map.Values.Sum(t => t.numel());

    /// <summary>Bytes of raw tensor data: what the map costs on the wire.</summary>
    public long Bytes => _map.Values.Sum(t => t.numel() * t.ElementSize);

    /// <summary>An owned deep copy.</summary>
    public NamedTensors Clone()
    {
        using var noGrad = torch.no_grad();
        return Own(_order.Select(n => KeyValuePair.Create(n, _map[n].clone())));
    }

    /// <summary>A borrowed view of every entry: what an instruction carries of a state its owner keeps.</summary>
    public NamedTensors View() => Borrow(this);

    /// <summary>A borrowed view of the entries whose names pass <paramref name="keep"/>.</summary>
    public NamedTensors Where(Func<string, bool> keep) => Borrow(_order.Where(keep).Select(n => KeyValuePair.Create(n, _map[n])));

    /// <summary>A borrowed view of this map followed by <paramref name="other"/>; names must not repeat.</summary>
    public NamedTensors Concat(NamedTensors other) => Borrow(this.Concat<KeyValuePair<string, Tensor>>(other));

    public Tensor this[string key] => _map[key];
    public IEnumerable<string> Keys => _order;
    public IEnumerable<Tensor> Values => _order.Select(n => _map[n]);
    public int Count => _order.Count;
    public bool ContainsKey(string key) => _map.ContainsKey(key);
    public bool TryGetValue(string key, out Tensor value) => _map.TryGetValue(key, out value!);

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _order.Select(n => KeyValuePair.Create(n, _map[n])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (OwnsTensors) foreach (var t in _map.Values) t.Dispose();
    }
}
