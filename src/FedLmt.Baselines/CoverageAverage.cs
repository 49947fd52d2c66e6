using FedLmt.Federated;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Baselines;

/// <summary>A sub-model's reply placed in the full model: its entries, where they sit, and its aggregation weight.</summary>
public sealed record PlacedUpdate(IReadOnlyDictionary<string, Tensor> State, SubModelLayout Layout, ChannelWindow Window, double Weight);

/// <summary>
/// HeteroFL's aggregation: every element of the full model becomes the weighted average of that element over the
/// clients whose sub-model holds it; an element no client held keeps its value.
/// </summary>
public static class CoverageAverage
{
    /// <summary>Updates every entry of <paramref name="global"/> in place; returns how many elements no update covered.</summary>
    public static long Into(NamedTensors global, IReadOnlyList<PlacedUpdate> updates)
    {
        foreach (var u in updates)
            if (!(u.Weight >= 0) || double.IsInfinity(u.Weight)) throw new ArgumentException($"aggregation weight {u.Weight} is not a finite number >= 0");
        var used = updates.Where(u => u.Weight > 0).ToList();
        if (used.Count == 0) return global.Elements;
        long uncovered = 0;
        using var noGrad = torch.no_grad();
        foreach (var name in global.Names)
        {
            using var scope = torch.NewDisposeScope();
            var dest = global[name];
            // float64 sums: exact enough that a weighted mean of equal values returns that value
            var sum = torch.zeros(dest.shape, ScalarType.Float64);
            var cover = torch.zeros(dest.shape, ScalarType.Float64);
            foreach (var u in used)
            {
                if (!u.State.TryGetValue(name, out var part)) throw new ArgumentException($"an update lacks entry '{name}'");
                var part64 = part.to(ScalarType.Float64);
                sum.add_(u.Layout.Embed(name, part64, u.Window), alpha: u.Weight);
                using var ones = torch.ones_like(part64);
                cover.add_(u.Layout.Embed(name, ones, u.Window), alpha: u.Weight);
            }
            var held = cover.gt(0);
            uncovered += dest.numel() - held.sum().item<long>();
            var mean = sum.div(torch.where(held, cover, torch.ones_like(cover)));
            if (!dest.is_floating_point()) mean = mean.round();
            dest.copy_(torch.where(held, mean, dest.to(ScalarType.Float64)));
        }
        return uncovered;
    }
}
