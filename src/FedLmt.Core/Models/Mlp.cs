using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>A 2-hidden-layer MLP (256, 128) on flattened input; stage 0 is fc1, stage 1 fc2, the head is never factorized.</summary>
public sealed class Mlp : HybridModel
{
    readonly nn.Module<Tensor, Tensor> fc1, fc2, fc3;
    readonly string[] _commonPrefixes;

    public Mlp(ModelSpec spec, Generator? generator = null) : base(nameof(Mlp), spec, generator)
    {
        long inFeatures = (long)spec.InChannels * spec.Height * spec.Width;
        int h1 = spec.Scale(256), h2 = spec.Scale(128);
        bool f1 = spec.DecomposeFrom.Factorizes(0, 0), f2 = spec.DecomposeFrom.Factorizes(1, 0);
        fc1 = Linear(f1, inFeatures, h1);
        fc2 = Linear(f2, h1, h2);
        fc3 = nn.Linear(h2, spec.NumClasses);
        var common = new List<string>();
        if (!spec.IsLowRank || !f1) common.Add("fc1");
        if (!spec.IsLowRank || !f2) common.Add("fc2");
        if (!spec.IsLowRank) common.Add("fc3");
        _commonPrefixes = [.. common];
        RegisterComponents();
    }

    public override bool IsCommon(string name) => StartsWithAny(name, _commonPrefixes);

    public override Tensor forward(Tensor input)
    {
        using var x = input.flatten(1);
        using var a = fc1.call(x);
        using var b = Scaled(a).relu_();
        using var c = fc2.call(b);
        using var d = Scaled(c).relu_();
        return fc3.call(d);
    }
}
