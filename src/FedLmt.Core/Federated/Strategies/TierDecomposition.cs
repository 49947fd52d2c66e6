using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// pFedLMT's meta-round step: the full weights of the custom layers, decomposed at several ratios with one SVD per
/// layer (<see cref="SvdFactors"/>) truncated per ratio. recover(U V^T) is then the best rank-r approximation of each
/// layer (Eckart-Young), exact where r reaches the layer's rank.
/// </summary>
public static class TierDecomposition
{
    /// <summary>
    /// For each spec, owned copies of the entries of its model that <paramref name="keep"/> accepts, with every
    /// factorized layer "X" set to the truncated SVD of "X.weight" of <paramref name="fullState"/> and every other
    /// entry copied from it by name.
    /// </summary>
    public static IReadOnlyList<NamedTensors> Decompose(IReadOnlyDictionary<string, Tensor> fullState, IReadOnlyList<ModelSpec> specs,
        Func<HybridModel, string, bool> keep)
    {
        var svds = new Dictionary<string, SvdFactors>(StringComparer.Ordinal);
        var results = new List<NamedTensors>(specs.Count);
        try
        {
            foreach (var spec in specs)
            {
                using var model = ModelFactory.Create(spec with { Init = FactorInit.Direct }, seed: 0);
                using (torch.no_grad()) Fill(model, fullState, svds);
                using var noGrad = torch.no_grad();
                results.Add(NamedTensors.Own(model.state_dict().Where(kv => keep(model, kv.Key))
                    .Select(kv => KeyValuePair.Create(kv.Key, kv.Value.clone()))));
            }
            return results;
        }
        catch
        {
            foreach (var r in results) r.Dispose();
            throw;
        }
        finally
        {
            foreach (var svd in svds.Values) svd.Dispose();
        }
    }

    static void Fill(HybridModel model, IReadOnlyDictionary<string, Tensor> fullState, Dictionary<string, SvdFactors> svds)
    {
        var state = model.state_dict();
        var factorEntries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, layer) in LowRankConversion.FactorizedLayers(model))
        {
            if (!svds.TryGetValue(prefix, out var svd))
            {
                string key = prefix + ".weight";
                if (!fullState.TryGetValue(key, out var weight))
                    throw new ArgumentException($"full state lacks '{key}', needed to decompose layer '{prefix}'");
                // SvdFactors keeps its factors in whatever dispose scope is current, so it is built outside the scope
                // that holds the temporary matrix.
                Tensor matrix;
                using (var scope = torch.NewDisposeScope())
                    matrix = (layer is FactorizedConv2d ? LowRankMath.ConvWeightToMatrix(weight) : weight.alias()).MoveToOuterDisposeScope();
                using (matrix) svds[prefix] = svd = new SvdFactors(matrix);
            }
            var (u, v) = svd.Truncate(layer.Rank);
            using (u)
            using (v)
            {
                using var scope = torch.NewDisposeScope();
                if (layer is FactorizedConv2d conv)
                {
                    state[prefix + ".u"].copy_(FactorizedConv2d.UWeightFromMatrix(u, conv.OutChannels, conv.KernelSize));
                    state[prefix + ".v"].copy_(FactorizedConv2d.VWeightFromMatrix(v, conv.InChannels, conv.KernelSize));
                }
                else
                {
                    state[prefix + ".u"].copy_(u);
                    state[prefix + ".v"].copy_(v);
                }
            }
            factorEntries.Add(prefix + ".u");
            factorEntries.Add(prefix + ".v");
        }
        foreach (var (name, dest) in state)
        {
            if (factorEntries.Contains(name)) continue;
            if (!fullState.TryGetValue(name, out var source))
                throw new ArgumentException($"full state lacks '{name}'");
            dest.copy_(source);
        }
    }
}
