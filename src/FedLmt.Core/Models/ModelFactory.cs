using FedLmt.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>Builds the model a <see cref="ModelSpec"/> describes.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Builds and validates. With a seed, every weight is drawn from a generator of that seed in module order, so the
    /// same spec and seed give the same model on any thread, whatever else uses libtorch's global generator.
    /// </summary>
    public static HybridModel Create(ModelSpec spec, long? seed = null)
    {
        spec.Validate();
        TorchRuntime.EnsureInitialized();
        var generator = seed is long s ? new Generator((ulong)s) : null;
        HybridModel model = spec.Architecture switch
        {
            "resnet18" => ResNet.ResNet18(spec, generator),
            "resnet34" => ResNet.ResNet34(spec, generator),
            "vgg11" => Vgg.Vgg11Bn(spec, generator),
            "vgg16" => Vgg.Vgg16Bn(spec, generator),
            "cnn" => new SmallCnn(spec, generator),
            "mlp" => new Mlp(spec, generator),
            "transformer" => new TransformerLm(spec, generator),
            _ => throw new ArgumentException($"model.architecture '{spec.Architecture}' is unknown; allowed: {string.Join(", ", ModelSpec.Architectures)}"),
        };
        if (generator is not null) ResetStandardLayers(model, generator, spec.Init);
        else if (spec.Init == FactorInit.KaimingFanOut)
            foreach (var conv in model.modules().OfType<FullConv2d>()) conv.Reset(null, spec.Init);
        model.InitializeWeights(generator);
        return model;
    }

    /// <summary>The model of <paramref name="spec"/> carrying <paramref name="state"/> (every entry required).</summary>
    public static HybridModel Load(ModelSpec spec, IReadOnlyDictionary<string, Tensor> state)
    {
        // Direct init: the loaded state overwrites every value, so the SVDs of spectral init would be wasted; a fixed
        // seed keeps libtorch's global generator out of it.
        var model = Create(spec with { Init = FactorInit.Direct }, seed: 0);
        try
        {
            ModelState.Load(model, state);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Re-draws every full conv and Linear weight and bias as PyTorch initializes them (U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    /// which is kaiming-uniform with a = sqrt 5; conv weights N(0, 2 / fan_out) under kaiming_fan_out) from
    /// <paramref name="generator"/>; factorized layers drew theirs while being built, BatchNorm starts at weight 1, bias 0.
    /// </summary>
    static void ResetStandardLayers(nn.Module model, Generator generator, FactorInit init)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is FullConv2d conv)
            {
                conv.Reset(generator, init);
                continue;
            }
            var (weight, bias) = module switch
            {
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            long fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            double bound = 1 / Math.Sqrt(fanIn);
            weight.uniform_(-bound, bound, generator);
            bias?.uniform_(-bound, bound, generator);
        }
    }
}
