using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class ConvKernelTests
{
    [Theory]
    [InlineData(1, 5, 3, 1, 1)]   // stem-like: few input channels (im2col)
    [InlineData(3, 17, 3, 2, 1)]
    [InlineData(7, 33, 1, 2, 0)]  // both counts off the block, a shortcut-like 1x1
    [InlineData(19, 16, 3, 1, 0)]
    [InlineData(16, 20, 3, 1, 1)] // only the output channels padded (cut off again)
    [InlineData(45, 3, 5, 3, 2)]
    public void Padded_channels_give_the_unpadded_conv_forward_and_backward(int cin, int cout, int kernel, int stride, int padding)
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator(3);
        var x = torch.randn(3, cin, 11, 10, generator: g);
        var w = torch.randn(cout, cin, kernel, kernel, generator: g);
        var b = torch.randn(cout, generator: g);
        long[] s = [stride, stride], p = [padding, padding];

        var (x32, w32, b32) = (x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_());
        var y32 = ConvKernel.Conv2d(x32, w32, b32, s, p, ConvPath.OneDnnPadded);
        var (x64, w64, b64) = (x.to(ScalarType.Float64).requires_grad_(), w.to(ScalarType.Float64).requires_grad_(), b.to(ScalarType.Float64).requires_grad_());
        var y64 = nn.functional.conv2d(x64, w64, b64, s, p);
        var gradOut = torch.randn(y64.shape, generator: g);
        y32.backward([gradOut]);
        y64.backward([gradOut.to(ScalarType.Float64)]);

        Assert.Equal(y64.shape, y32.shape);
        foreach (var (actual, expected) in new[] { (y32, y64), (x32.grad!, x64.grad!), (w32.grad!, w64.grad!), (b32.grad!, b64.grad!) })
            Assert.True(Relative(actual, expected) < 1e-5, $"off by {Relative(actual, expected):G3}");
    }

    [Fact]
    public void Padded_counts_round_up_to_the_channel_block_only_on_the_padded_path()
    {
        Assert.Equal(16, ConvKernel.Padded(1, ConvPath.OneDnnPadded));
        Assert.Equal(16, ConvKernel.Padded(16, ConvPath.OneDnnPadded));
        Assert.Equal(64, ConvKernel.Padded(51, ConvPath.OneDnnPadded));
        Assert.Equal(51, ConvKernel.Padded(51, ConvPath.OneDnn));
        Assert.Equal(51, ConvKernel.Padded(51, ConvPath.Native));
    }

    [Fact]
    public void The_conv_layout_is_channels_last_on_onednn_and_the_same_values_everywhere()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 5, 4, 3, generator: new Generator(1));
        var nhwc = ConvKernel.ToConvLayout(x, ConvPath.OneDnn);
        Assert.Equal(new long[] { 60, 1, 15, 5 }, nhwc.stride()); // channels vary fastest
        Assert.True(nhwc.equal(x).all().item<bool>());
        var native = ConvKernel.ToConvLayout(x, ConvPath.Native);
        Assert.Equal(x.stride(), native.stride());
    }

    static double Relative(Tensor actual, Tensor expected) =>
        (actual.to(ScalarType.Float64) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}
