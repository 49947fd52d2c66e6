using TorchSharp;

namespace FedLmt.Layers;

/// <summary>
/// The convergence theory ties the full model's gradient to the factors' gradients through the factors' singular
/// values, so a run logs the smallest one each round.
/// </summary>
public static class FactorHealth
{
    /// <summary>The smallest singular value over all factors U, V of the model; NaN when it has no factorized layer.</summary>
    public static double SmallestSingularValue(torch.nn.Module model)
    {
        double smallest = double.NaN;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var layer in model.modules().OfType<IFactorizedLayer>())
        {
            foreach (var factor in new[] { layer.UMatrix(), layer.VMatrix() })
            {
                if (!factor.isfinite().all().item<bool>()) return double.NaN; // diverged: no SVD of NaN/inf
                double s = torch.linalg.svdvals(factor.to(torch.ScalarType.Float64)).min().item<double>();
                smallest = double.IsNaN(smallest) ? s : Math.Min(smallest, s);
            }
        }
        return smallest;
    }
}
