using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// FedAvg's aggregation: each entry becomes the average of the clients' entries weighted by their example counts,
/// written in place into the server's tensors.
/// </summary>
public static class WeightedAverage
{
    /// <summary>FedAvg over training replies: their parameters weighted by their example counts (see the overload below).</summary>
    /// <returns>Whether the target changed.</returns>
    public static bool Into(NamedTensors target, IReadOnlyList<TrainReply> replies) =>
        Into(target, replies.Select(r => ((IReadOnlyDictionary<string, Tensor>)r.Parameters, r.NumExamples)).ToList());

    /// <summary>
    /// Sets every entry of <paramref name="target"/> that <paramref name="include"/> accepts (all when null) to
    /// sum_i w_i x_i / sum_i w_i over <paramref name="updates"/>. Updates may carry extra entries; a missing or
    /// misshapen one is refused, naming it. Floating entries are averaged in their dtype; integer entries (such as
    /// BatchNorm's num_batches_tracked) in float64 and rounded. With no update or zero total weight nothing changes.
    /// </summary>
    /// <returns>Whether the target changed.</returns>
    public static bool Into(NamedTensors target, IReadOnlyList<(IReadOnlyDictionary<string, Tensor> State, long Weight)> updates,
        Func<string, bool>? include = null)
    {
        foreach (var (_, w) in updates)
            if (w < 0) throw new ArgumentException($"aggregation weight {w} is negative; weights are example counts");
        var used = updates.Where(u => u.Weight > 0).ToList();
        double total = used.Sum(u => (double)u.Weight);
        if (used.Count == 0 || total == 0) return false;
        double[] weights = used.Select(u => u.Weight / total).ToArray();

        using var noGrad = torch.no_grad();
        foreach (var name in target.Names)
        {
            if (include is not null && !include(name)) continue;
            var dest = target[name];
            var sources = new Tensor[used.Count];
            for (int i = 0; i < used.Count; i++)
            {
                if (!used[i].State.TryGetValue(name, out var t))
                    throw new ArgumentException($"update {i} lacks entry '{name}'");
                if (!t.shape.SequenceEqual(dest.shape))
                    throw new ArgumentException($"update {i} has '{name}' of shape ({string.Join(", ", t.shape)}); expected ({string.Join(", ", dest.shape)})");
                sources[i] = t;
            }
            if (dest.is_floating_point()) AverageFloating(dest, sources, weights);
            else AverageIntegral(dest, sources, weights);
        }
        return true;
    }

    /// <summary>
    /// dest = w0 x0, then dest += w_i x_i in place: one fused pass per update, no allocation for same-dtype updates.
    /// (Blocking the work into cache-sized chunks was measured no faster: 10 ResNet-18 updates take ~20 ms either way.)
    /// </summary>
    static void AverageFloating(Tensor dest, Tensor[] sources, double[] weights)
    {
        using var scope = torch.NewDisposeScope();
        dest.copy_(sources[0]).mul_(weights[0]);
        for (int i = 1; i < sources.Length; i++) dest.add_(sources[i].dtype == dest.dtype ? sources[i] : sources[i].to(dest.dtype), alpha: weights[i]);
    }

    static void AverageIntegral(Tensor dest, Tensor[] sources, double[] weights)
    {
        using var scope = torch.NewDisposeScope();
        var acc = sources[0].to(ScalarType.Float64).mul(weights[0]);
        for (int i = 1; i < sources.Length; i++) acc.add_(sources[i].to(ScalarType.Float64), alpha: weights[i]);
        dest.copy_(acc.round());
    }

    /// <summary>The example-weighted mean of one metric over replies that report it (NaN when none does).</summary>
    public static double OfMetric(IEnumerable<(IReadOnlyDictionary<string, double> Metrics, long Weight)> replies, string metric)
    {
        double sum = 0, weight = 0;
        foreach (var (metrics, w) in replies)
        {
            if (w <= 0 || !metrics.TryGetValue(metric, out double value) || double.IsNaN(value)) continue;
            sum += value * w;
            weight += w;
        }
        return weight == 0 ? double.NaN : sum / weight;
    }
}
