using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// CIFAR-style VGG with BatchNorm: stages of 3x3 convs separated by 2x2 max-pools (skipped once the feature map is
/// 1 pixel, so small inputs work), global average pool, linear head. Stage s, conv b is block (s, b) of the hybrid
/// start point; the first conv (the stem) and the head are never factorized.
/// </summary>
public sealed class Vgg : HybridModel
{
    static readonly int[][] Vgg11 = [[64], [128], [256, 256], [512, 512], [512, 512]];
    static readonly int[][] Vgg16 = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

    readonly ModuleList<Sequential> stages;
    readonly nn.Module<Tensor, Tensor> classifier;
    readonly bool[] _poolAfter;
    readonly string[] _commonPrefixes;

    Vgg(ModelSpec spec, int[][] config, Generator? generator) : base("Vgg", spec, generator)
    {
        var common = new List<string>();
        var built = new List<Sequential>();
        var pools = new List<bool>();
        long inChannels = spec.InChannels, h = spec.Height, w = spec.Width;
        for (int s = 0; s < config.Length; s++)
        {
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int b = 0; b < config[s].Length; b++)
            {
                int outChannels = spec.Scale(config[s][b]);
                bool factorize = (s, b) != (0, 0) && spec.DecomposeFrom.Factorizes(s, b);
                if (!spec.IsLowRank || !factorize) common.Add($"stages.{s}.{b}");
                var conv = Conv(factorize, inChannels, outChannels, 3, 1, 1);
                blocks.Add(spec.TrainingActivationScale is double scale
                    ? nn.Sequential(("conv", conv), ("scale", new ActivationScaler(scale)), ("bn", BatchNorm(outChannels)), ("relu", nn.ReLU(inplace: true)))
                    : nn.Sequential(("conv", conv), ("bn", BatchNorm(outChannels)), ("relu", nn.ReLU(inplace: true))));
                inChannels = outChannels;
            }
            built.Add(nn.Sequential(blocks));
            bool pool = h >= 2 && w >= 2;
            pools.Add(pool);
            if (pool) (h, w) = (h / 2, w / 2);
        }
        stages = nn.ModuleList(built.ToArray());
        _poolAfter = [.. pools];
        classifier = nn.Linear(inChannels, spec.NumClasses);
        if (!spec.IsLowRank) common.Add("classifier");
        _commonPrefixes = [.. common];
        RegisterComponents();
    }

    public static Vgg Vgg11Bn(ModelSpec spec, Generator? generator = null) => new(spec, Vgg11, generator);
    public static Vgg Vgg16Bn(ModelSpec spec, Generator? generator = null) => new(spec, Vgg16, generator);

    public override bool IsCommon(string name) => StartsWithAny(name, _commonPrefixes);

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = ConvLayout(input);
        for (int s = 0; s < stages.Count; s++)
        {
            x = stages[s].call(x);
            if (s == 0) x = ConvLayout(x); // a 1-channel input has no layout of its own: the stem's output gets it
            if (_poolAfter[s]) x = nn.functional.max_pool2d(x, 2, 2);
        }
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}
