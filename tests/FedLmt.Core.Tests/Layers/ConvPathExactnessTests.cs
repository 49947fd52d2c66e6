using FedLmt.Layers;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

/// <summary>
/// Every distinct convolution the shipped models run (ResNet-18/34, VGG-11/16 and the small CNN, full and at ratios
/// 0.1 - 1.4, and as the baselines' width sub-models, on 1x28x28 and 3x32x32 inputs) computed in float32 on a fast path against the same layer in float64
/// (which never takes oneDNN): output, input gradient and every parameter gradient within 1e-4 relative.
/// </summary>
public class ConvPathExactnessTests
{
    sealed record ConvShape(bool Factorized, long Cin, long Cout, long Kernel, long Stride, long Padding, int Rank, bool Bias, long Height, long Width);

    static readonly Lazy<IReadOnlyList<ConvShape>> Shapes = new(CollectShapes);

    // HeteroFL/FedRolex width sub-models (the default baselines.rates) narrow every hidden conv.
    static readonly double[] SubModelRates = [0.5, 0.25, 0.125, 0.0625];

    static IReadOnlyList<ConvShape> CollectShapes()
    {
        var shapes = new HashSet<ConvShape>();
        double?[] ratios = [null, .. Enumerable.Range(1, 14).Select(i => (double?)(i / 10.0))];
        foreach (var architecture in new[] { "resnet18", "resnet34", "vgg11", "vgg16", "cnn" })
            foreach (var (c, size) in new[] { (1, 28), (3, 32) })
                foreach (var (ratio, rate) in ratios.Select(r => (r, (double?)null)).Concat(SubModelRates.Select(w => ((double?)null, (double?)w))))
                {
                    var spec = new ModelSpec { Architecture = architecture, InChannels = c, Height = size, Width = size, Ratio = ratio, SubModelRate = rate, Init = FactorInit.Direct };
                    using var model = ModelFactory.Create(spec, seed: 0);
                    var removers = new List<Action>();
                    foreach (var module in model.modules())
                    {
                        if (module is not (FullConv2d or FactorizedConv2d)) continue;
                        var hook = ((nn.Module<Tensor, Tensor>)module).register_forward_hook((m, input, output) =>
                        {
                            shapes.Add(m switch
                            {
                                FullConv2d f => new ConvShape(false, f.InChannels, f.OutChannels, f.KernelSize, f.Stride, f.Padding, 0, f.Bias is not null, input.shape[2], input.shape[3]),
                                FactorizedConv2d f => new ConvShape(true, f.InChannels, f.OutChannels, f.KernelSize, f.Stride, f.Padding, f.Rank, f.HasBias, input.shape[2], input.shape[3]),
                                _ => throw new InvalidOperationException(),
                            });
                            return output;
                        });
                        removers.Add(hook.remove);
                    }
                    using (var scope = torch.NewDisposeScope())
                    using (torch.no_grad())
                    {
                        model.eval();
                        model.call(torch.zeros(2, c, size, size));
                    }
                    foreach (var remove in removers) remove();
                }
        return [.. shapes.OrderBy(s => s.Factorized).ThenBy(s => s.Cin).ThenBy(s => s.Cout).ThenBy(s => s.Rank).ThenBy(s => s.Height)];
    }

    static nn.Module<Tensor, Tensor> Build(ConvShape s, ScalarType dtype)
    {
        // The same values in both precisions, from a private generator (tests in parallel share libtorch's global one).
        var g = new Generator(11);
        nn.Module<Tensor, Tensor> layer;
        if (s.Factorized) layer = new FactorizedConv2d(s.Cin, s.Cout, s.Kernel, s.Rank, s.Stride, s.Padding, s.Bias, FactorInit.Direct, g);
        else
        {
            var full = new FullConv2d(s.Cin, s.Cout, s.Kernel, s.Stride, s.Padding, s.Bias);
            full.Reset(g);
            layer = full;
        }
        return layer.to(dtype);
    }

    static Tensor Forward(nn.Module<Tensor, Tensor> layer, Tensor x, ConvPath path) => layer switch
    {
        FullConv2d f => f.Forward(x, path),
        FactorizedConv2d f => f.Forward(x, path),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Output, input gradient and parameter gradients of one forward/backward pass, in float64.</summary>
    static List<(string What, Tensor Value)> Pass(ConvShape s, ScalarType dtype, ConvPath path)
    {
        var layer = Build(s, dtype);
        var g = new Generator(7);
        var x = torch.randn(2, s.Cin, s.Height, s.Width, generator: g).to(dtype);
        var input = ConvKernel.ToConvLayout(x, path).detach().requires_grad_(); // the layout the models feed on this path
        var output = Forward(layer, input, path);
        var gradOut = torch.randn(output.shape, generator: g).to(dtype);
        output.backward([gradOut]);
        var results = new List<(string, Tensor)> { ("output", output.detach().to(ScalarType.Float64)), ("input gradient", input.grad!.to(ScalarType.Float64)) };
        foreach (var (name, p) in layer.named_parameters()) results.Add(($"{name} gradient", p.grad!.to(ScalarType.Float64)));
        return results;
    }

    static void AssertExact(ConvPath path)
    {
        using var scope = torch.NewDisposeScope();
        var failures = new List<string>();
        foreach (var s in Shapes.Value)
        {
            using var inner = torch.NewDisposeScope();
            var actual = Pass(s, ScalarType.Float32, path);
            var expected = Pass(s, ScalarType.Float64, ConvPath.Native);
            for (int i = 0; i < expected.Count; i++)
            {
                double error = (actual[i].Value - expected[i].Value).abs().max().item<double>() / expected[i].Value.abs().max().item<double>();
                if (!(error <= 1e-4)) failures.Add($"{s}: {expected[i].What} off by {error:G3}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Shapes.Value.Count} conv shapes differ on {path}:\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_shipped_models_use_a_few_hundred_distinct_convs_including_stems_and_awkward_ranks()
    {
        var shapes = Shapes.Value;
        Assert.InRange(shapes.Count, 100, 3000);
        Assert.Contains(shapes, s => !s.Factorized && s.Cin == 1); // Fashion-MNIST stems
        Assert.Contains(shapes, s => !s.Factorized && s.Cin == 3); // CIFAR stems
        Assert.Contains(shapes, s => !s.Factorized && s.Kernel == 1 && s.Stride == 2); // ResNet shortcuts
        Assert.Contains(shapes, s => s.Factorized && s.Rank % ConvKernel.ChannelBlock != 0);
        Assert.Contains(shapes, s => s.Factorized && s.Stride == 2);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Every_shipped_conv_is_exact_on_the_path_this_process_takes() => AssertExact(ConvKernel.Path);

    [Fact]
    [Trait("Category", "Slow")]
    public void Every_shipped_conv_is_exact_with_padded_channels() => AssertExact(ConvPath.OneDnnPadded);
}
