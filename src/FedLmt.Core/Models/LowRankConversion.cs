using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>Whole-model moves between a full-rank model and its low-rank hybrid (SVD truncation and recovery).</summary>
public static class LowRankConversion
{
    /// <summary>The low-rank hybrid of <paramref name="full"/> at <paramref name="ratio"/> from <paramref name="from"/>.</summary>
    public static HybridModel Decompose(HybridModel full, double ratio, HybridStart from)
    {
        var target = ModelFactory.Create(full.Spec with { Ratio = ratio, DecomposeFrom = from });
        DecomposeInto(full.state_dict(), target);
        return target;
    }

    /// <summary>The full-rank model whose factorized layers carry U V^T.</summary>
    public static HybridModel Recover(HybridModel lowRank)
    {
        var target = ModelFactory.Create(lowRank.Spec.AsFull());
        RecoverInto(lowRank, target);
        return target;
    }

    /// <summary>
    /// Loads a full-rank state into a low-rank (or full) model: each factorized layer "X" gets the truncated SVD of
    /// "X.weight", every other entry is copied by name.
    /// </summary>
    public static void DecomposeInto(IReadOnlyDictionary<string, Tensor> fullState, nn.Module target)
    {
        var factorized = FactorizedLayers(target);
        foreach (var (prefix, layer) in factorized)
        {
            string key = prefix + ".weight";
            if (!fullState.TryGetValue(key, out var weight))
                throw new ArgumentException($"full state lacks '{key}', needed to decompose layer '{prefix}'");
            layer.LoadFromFull(weight);
        }
        ModelState.Load(target, OtherEntries(fullState, target, factorized), partial: true); // OtherEntries covers every non-factor entry or throws
    }

    /// <summary>Writes U V^T of each factorized layer of <paramref name="lowRank"/> into "X.weight" of the full model, and copies the rest.</summary>
    public static void RecoverInto(nn.Module lowRank, nn.Module fullTarget)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var factorized = FactorizedLayers(lowRank);
        foreach (var (prefix, layer) in factorized) state[prefix + ".weight"] = layer.RecoverWeight();
        foreach (var (name, t) in OtherEntries(lowRank.state_dict(), lowRank, factorized)) state[name] = t;
        ModelState.Load(fullTarget, state);
    }

    /// <summary>Factorized layers by module path ("layer1.0.conv1").</summary>
    public static Dictionary<string, IFactorizedLayer> FactorizedLayers(nn.Module model) =>
        model.named_modules().Where(m => m.module is IFactorizedLayer)
            .ToDictionary(m => m.name, m => (IFactorizedLayer)m.module, StringComparer.Ordinal);

    /// <summary>The entries of <paramref name="source"/> that <paramref name="target"/> holds outside its factors.</summary>
    static Dictionary<string, Tensor> OtherEntries(IReadOnlyDictionary<string, Tensor> source, nn.Module target,
        Dictionary<string, IFactorizedLayer> factorized)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in target.state_dict().Keys)
        {
            int dot = name.LastIndexOf('.');
            string leaf = name[(dot + 1)..];
            if (dot > 0 && factorized.ContainsKey(name[..dot]) && leaf is "u" or "v") continue;
            if (!source.TryGetValue(name, out var t))
                throw new ArgumentException($"source state lacks '{name}'");
            result[name] = t;
        }
        return result;
    }
}
