using FedLmt.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// CIFAR-style ResNet (3x3 stem conv stride 1, no max-pool, stages 64-128-256-512 of BasicBlocks, global average
/// pool, linear head). Stem, shortcuts and head are never factorized; both 3x3 convs of every block from
/// <see cref="ModelSpec.DecomposeFrom"/> on are.
/// </summary>
public sealed class ResNet : HybridModel
{
    static readonly int[] StageWidths = [64, 128, 256, 512];

    readonly nn.Module<Tensor, Tensor> conv1, bn1;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly nn.Module<Tensor, Tensor> linear;
    readonly string[] _commonPrefixes;

    /// <summary>Builds a ResNet with the given blocks per stage ([2,2,2,2] is ResNet-18, [3,4,6,3] ResNet-34).</summary>
    public ResNet(ModelSpec spec, int[] blocksPerStage, Generator? generator = null) : base("ResNet", spec, generator)
    {
        if (blocksPerStage.Length != 4) throw new ArgumentException("a ResNet has 4 stages", nameof(blocksPerStage));
        int stem = spec.Scale(64);
        conv1 = new FullConv2d(spec.InChannels, stem, 3, 1, 1, hasBias: false);
        bn1 = BatchNorm(stem);
        var common = new List<string> { "conv1", "bn1" };
        var layers = new Sequential[4];
        int inPlanes = stem;
        for (int s = 0; s < 4; s++)
        {
            int planes = spec.Scale(StageWidths[s]);
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int b = 0; b < blocksPerStage[s]; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                bool factorize = spec.DecomposeFrom.Factorizes(s, b);
                if (!spec.IsLowRank || !factorize) common.Add($"layer{s + 1}.{b}");
                nn.Module<Tensor, Tensor>? shortcut = stride != 1 || inPlanes != planes
                    ? nn.Sequential(new FullConv2d(inPlanes, planes, 1, stride, hasBias: false), BatchNorm(planes))
                    : null;
                blocks.Add(new BasicBlock(Conv(factorize, inPlanes, planes, 3, stride, 1), BatchNorm(planes),
                    Conv(factorize, planes, planes, 3, 1, 1), BatchNorm(planes), shortcut, spec.TrainingActivationScale));
                inPlanes = planes;
            }
            layers[s] = nn.Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (layers[0], layers[1], layers[2], layers[3]);
        linear = nn.Linear(inPlanes, spec.NumClasses);
        if (!spec.IsLowRank) common.Add("linear");
        _commonPrefixes = [.. common];
        RegisterComponents();
    }

    public static ResNet ResNet18(ModelSpec spec, Generator? generator = null) => new(spec, [2, 2, 2, 2], generator);
    public static ResNet ResNet34(ModelSpec spec, Generator? generator = null) => new(spec, [3, 4, 6, 3], generator);

    public override bool IsCommon(string name) => StartsWithAny(name, _commonPrefixes);

    public override Tensor forward(Tensor input)
    {
        using var inputLayout = ConvLayout(input);
        using var a = conv1.call(inputLayout);
        using var b = bn1.call(Scaled(a));
        using var c = b.relu_();
        using var cLayout = ConvLayout(c); // a 1-channel input has no layout of its own: the stem's output gets it
        using var d = layer1.call(cLayout);
        using var e = layer2.call(d);
        using var f = layer3.call(e);
        using var g = layer4.call(f);
        using var h = nn.functional.adaptive_avg_pool2d(g, 1);
        using var i = h.flatten(1);
        return linear.call(i);
    }
}
