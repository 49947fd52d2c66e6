using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>Regularizers on the factors added to the local loss (METHOD.md section 2).</summary>
public enum PenaltyKind
{
    None,

    /// <summary>lambda ||U V^T||_F^2 (the default when a decay is enabled).</summary>
    Frobenius,

    /// <summary>lambda ||U||^2 ||V||^2.</summary>
    Kronecker,

    /// <summary>lambda (||U||^2 + ||V||^2).</summary>
    L2,
}

/// <summary>Sums a factor penalty over every factorized layer of a model.</summary>
public static class FactorPenalty
{
    /// <summary>The penalty term (a scalar tensor with gradient), or null when there is nothing to add.</summary>
    public static Tensor? Compute(nn.Module model, PenaltyKind kind, double lambda)
    {
        if (kind == PenaltyKind.None || lambda == 0) return null;
        Tensor? total = null;
        foreach (var layer in model.modules().OfType<IFactorizedLayer>())
        {
            var term = Of(layer, kind);
            total = total is null ? term : total + term;
        }
        return total is null ? null : total * lambda;
    }

    /// <summary>The unscaled penalty of one layer.</summary>
    public static Tensor Of(IFactorizedLayer layer, PenaltyKind kind)
    {
        var u = layer.UMatrix();
        var v = layer.VMatrix();
        return kind switch
        {
            PenaltyKind.Frobenius => LowRankMath.FrobeniusOfProductSquared(u, v),
            PenaltyKind.Kronecker => u.square().sum() * v.square().sum(),
            PenaltyKind.L2 => u.square().sum() + v.square().sum(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no penalty for this kind"),
        };
    }
}
