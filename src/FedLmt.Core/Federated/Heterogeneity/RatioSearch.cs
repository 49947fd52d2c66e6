using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// FedLMT's choice of one shared ratio: the largest on a grid (0.01 steps by default) whose low-rank hybrid every tier
/// of the population can afford. Cost never falls as the ratio grows (ranks are non-decreasing), so bisection finds it.
/// </summary>
public static class RatioSearch
{
    /// <summary>The largest k x <paramref name="step"/> (k >= 1, at most <paramref name="maxRatio"/>) that every tier affords.</summary>
    public static double LargestAffordable(ModelSpec template, IEnumerable<ResourceTier> tiers, ModelCostCatalog costs,
        double step = 0.01, double maxRatio = 3.0)
    {
        Check.Require(step > 0 && double.IsFinite(step), "fedlmt.ratio_step", step, "a finite number > 0");
        Check.Require(maxRatio >= step && double.IsFinite(maxRatio), "fedlmt.max_ratio", maxRatio, $"a finite number >= the step {step}");
        var tierList = tiers.ToList();
        var full = costs.Of(template.AsFull());
        double RatioAt(long k) => Math.Round(k * step, 10);
        bool Fits(long k)
        {
            var cost = costs.Of(template.WithRatio(RatioAt(k)));
            return tierList.All(t => t.Affords(cost, full));
        }

        if (!Fits(1))
        {
            var cost = costs.Of(template.WithRatio(RatioAt(1)));
            var weakest = tierList.First(t => !t.Affords(cost, full));
            throw new InvalidOperationException(
                $"no ratio fits {weakest}: even ratio {RatioAt(1)} costs {(double)cost.MacsPerSample / full.MacsPerSample:0.####} of the full " +
                $"model's MACs and {(double)cost.Parameters / full.Parameters:0.####} of its parameters");
        }
        long lo = 1, hi = (long)Math.Floor(maxRatio / step + 1e-9);
        if (Fits(hi)) return RatioAt(hi);
        while (hi - lo > 1) // invariant: Fits(lo), !Fits(hi)
        {
            long mid = lo + (hi - lo) / 2;
            if (Fits(mid)) lo = mid;
            else hi = mid;
        }
        return RatioAt(lo);
    }
}
