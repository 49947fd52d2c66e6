using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// A small CNN for fast experiments: conv 3x3 (32) - pool - conv 3x3 (64) - pool - fc 128 - fc head. Stage 0 is the
/// first conv (never factorized), stage 1 the second conv, stage 2 the hidden fc; the head is never factorized.
/// </summary>
public sealed class SmallCnn : HybridModel
{
    readonly nn.Module<Tensor, Tensor> conv1, conv2, fc1, fc2;
    readonly string[] _commonPrefixes;

    public SmallCnn(ModelSpec spec, Generator? generator = null) : base(nameof(SmallCnn), spec, generator)
    {
        int c1 = spec.Scale(32), c2 = spec.Scale(64), hidden = spec.Scale(128);
        long flat = c2 * (long)(spec.Height / 4) * (spec.Width / 4);
        if (flat == 0) throw new ArgumentException($"cnn needs an input of at least 4x4, got {spec.Height}x{spec.Width}");
        bool f2 = spec.DecomposeFrom.Factorizes(1, 0), f3 = spec.DecomposeFrom.Factorizes(2, 0);
        conv1 = new FullConv2d(spec.InChannels, c1, 3, 1, 1);
        conv2 = Conv(f2, c1, c2, 3, 1, 1, bias: true);
        fc1 = Linear(f3, flat, hidden);
        fc2 = nn.Linear(hidden, spec.NumClasses);
        var common = new List<string> { "conv1" };
        if (!spec.IsLowRank || !f2) common.Add("conv2");
        if (!spec.IsLowRank || !f3) common.Add("fc1");
        if (!spec.IsLowRank) common.Add("fc2");
        _commonPrefixes = [.. common];
        RegisterComponents();
    }

    public override bool IsCommon(string name) => StartsWithAny(name, _commonPrefixes);

    public override Tensor forward(Tensor input)
    {
        using var inputLayout = ConvLayout(input);
        using var a = conv1.call(inputLayout);
        using var b = Scaled(a).relu_();
        using var c = nn.functional.max_pool2d(b, 2, 2);
        using var cLayout = ConvLayout(c); // a 1-channel input has no layout of its own
        using var d = conv2.call(cLayout);
        using var e = Scaled(d).relu_();
        using var f = nn.functional.max_pool2d(e, 2, 2);
        using var g = f.flatten(1);
        using var h = fc1.call(g);
        using var i = Scaled(h).relu_();
        return fc2.call(i);
    }
}
