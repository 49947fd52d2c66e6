using FedLmt.Federated;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Baselines;

/// <summary>One narrowed dimension of a state entry: it holds <see cref="Kept"/> of <see cref="Channels"/> channels, each spanning <see cref="Repeat"/> consecutive positions.</summary>
/// <remarks>Repeat is 1 for a channel axis and H x W for the input of a linear layer that reads a flattened C x H x W map.</remarks>
public readonly record struct ChannelAxis(long Channels, long Kept, long Repeat);

/// <summary>
/// How the state of a width sub-model (HeteroFL/FedRolex) sits inside the full model's: for each entry and dimension,
/// either the whole dimension (the first layer's input channels, the classifier's classes) or a channel axis, whose
/// positions a <see cref="ChannelWindow"/> chooses. Derived from the two models' names and shapes alone.
/// </summary>
/// <remarks>
/// A dimension that is narrower in the sub-model is a channel axis of its size C, so every layer with C channels gets
/// the same window: a block's output and its identity shortcut line up, and a shortcut conv reads its block's input
/// channels. The input of a linear layer whose width is a multiple q of the previous layer's output channels reads a
/// flattened map: it keeps those channels' blocks of q positions.
/// </remarks>
public sealed class SubModelLayout
{
    readonly Dictionary<string, ChannelAxis?[]> _axes;
    readonly Dictionary<string, long[]> _fullShapes;

    SubModelLayout(List<string> names, Dictionary<string, ChannelAxis?[]> axes, Dictionary<string, long[]> fullShapes)
    {
        Names = names;
        _axes = axes;
        _fullShapes = fullShapes;
    }

    /// <summary>Entry names in the full model's order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether the sub-model is the whole model (every dimension whole).</summary>
    public bool IsWhole => _axes.Values.All(a => a.All(x => x is null));

    /// <summary>The axes of one entry (null: the whole dimension).</summary>
    public IReadOnlyList<ChannelAxis?> AxesOf(string name) => _axes[name];

    /// <summary>Matches a sub-model's layout to the full model's, refusing names or shapes that cannot be a width sub-model of it.</summary>
    public static SubModelLayout Of(IReadOnlyList<(string Name, long[] Shape)> full, IReadOnlyList<(string Name, long[] Shape)> sub)
    {
        var subShapes = sub.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal);
        if (sub.Count != full.Count || full.Any(e => !subShapes.ContainsKey(e.Name)))
            throw new ArgumentException("the sub-model's state names differ from the full model's; a width sub-model has the same entries, narrower");
        var axes = new Dictionary<string, ChannelAxis?[]>(StringComparer.Ordinal);
        var keptOf = new Dictionary<long, long>(); // channels -> kept, which must agree across layers
        (long Channels, long Kept)? previousOut = null;
        foreach (var (name, fullShape) in full)
        {
            var subShape = subShapes[name];
            if (subShape.Length != fullShape.Length)
                throw new ArgumentException($"entry '{name}' has {subShape.Length} dimensions in the sub-model and {fullShape.Length} in the full model");
            var entry = new ChannelAxis?[fullShape.Length];
            for (int d = 0; d < fullShape.Length; d++)
            {
                long g = fullShape[d], s = subShape[d];
                if (s == g) continue;
                if (s < 1 || s > g)
                    throw new ArgumentException($"entry '{name}' dimension {d} is {s} in the sub-model and {g} in the full model; a sub-model only narrows");
                ChannelAxis axis;
                if (d == 1 && fullShape.Length == 2 && previousOut is var (c, k) && c != g && g % c == 0 && s == k * (g / c))
                    axis = new ChannelAxis(c, k, g / c); // a linear layer reading a flattened C x H x W map
                else axis = new ChannelAxis(g, s, 1);
                if (keptOf.TryGetValue(axis.Channels, out long before) && before != axis.Kept)
                    throw new ArgumentException($"layers of {axis.Channels} channels keep {before} in one place and {axis.Kept} in another; not a width sub-model");
                keptOf[axis.Channels] = axis.Kept;
                entry[d] = axis;
            }
            axes[name] = entry;
            if (fullShape.Length >= 2) previousOut = (fullShape[0], subShape[0]);
        }
        return new SubModelLayout(full.Select(e => e.Name).ToList(), axes,
            full.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal));
    }

    /// <summary>The full-model positions one narrowed dimension takes, in the sub-model's order.</summary>
    public static long[] Positions(ChannelAxis axis, ChannelWindow window)
    {
        var channels = window.Indices(axis.Channels, axis.Kept);
        var positions = new long[channels.Length * axis.Repeat];
        for (int i = 0; i < channels.Length; i++)
            for (long j = 0; j < axis.Repeat; j++) positions[i * axis.Repeat + j] = channels[i] * axis.Repeat + j;
        return positions;
    }

    /// <summary>Owned copies of the sub-model's entries cut out of <paramref name="full"/> through <paramref name="window"/>.</summary>
    public NamedTensors Extract(IReadOnlyDictionary<string, Tensor> full, ChannelWindow window)
    {
        using var noGrad = torch.no_grad();
        var entries = new List<KeyValuePair<string, Tensor>>(Names.Count);
        try
        {
            foreach (var name in Names)
            {
                using var scope = torch.NewDisposeScope();
                var t = full[name];
                var axes = _axes[name];
                for (int d = 0; d < axes.Length; d++)
                {
                    if (axes[d] is not ChannelAxis axis) continue;
                    using var index = torch.tensor(Positions(axis, window));
                    t = t.index_select(d, index);
                }
                entries.Add(KeyValuePair.Create(name, (ReferenceEquals(t, full[name]) ? t.clone() : t.contiguous()).MoveToOuterDisposeScope()));
            }
            return NamedTensors.Own(entries);
        }
        catch
        {
            foreach (var e in entries) e.Value.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A full-shaped tensor holding <paramref name="sub"/> (an entry of the sub-model) at the positions
    /// <paramref name="window"/> gives it, and <paramref name="fill"/> elsewhere.
    /// </summary>
    public Tensor Embed(string name, Tensor sub, ChannelWindow window, double fill = 0)
    {
        var axes = _axes[name];
        using var scope = torch.NewDisposeScope();
        var x = sub;
        for (int d = 0; d < axes.Length; d++)
        {
            if (axes[d] is not ChannelAxis axis) continue;
            var shape = x.shape;
            shape[d] = _fullShapes[name][d];
            var wider = torch.full(shape, fill, dtype: sub.dtype);
            using var index = torch.tensor(Positions(axis, window));
            wider.index_copy_(d, index, x);
            x = wider;
        }
        return (ReferenceEquals(x, sub) ? sub.clone() : x).MoveToOuterDisposeScope();
    }
}
