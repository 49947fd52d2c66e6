using FedLmt.Layers;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void The_chosen_convolution_path_is_verified_exact()
    {
        var report = TorchRuntime.EnsureInitialized();
        Assert.True(report.ConvExact, report.Note);
        Assert.Equal(report.ConvPath, ConvKernel.Path);
        Assert.True(TorchRuntime.ConvIsExact(report.ConvPath).Exact);
    }

    [Fact]
    public void Float32_convs_on_the_chosen_path_match_float64_for_every_channel_count()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var g = new Generator(5);
        for (int c = 1; c <= 70; c++)
        {
            var x = torch.randn(2, c, 7, 7, generator: g);
            var w = torch.randn(16, c, 3, 3, generator: g);
            var f64 = nn.functional.conv2d(x.to(ScalarType.Float64), w.to(ScalarType.Float64), padding: [1, 1]);
            Assert.True(TensorAssert.RelativeError(ConvKernel.Conv2d(x, w, null, [1, 1], [1, 1]), f64) < 1e-5, $"{c} input channels");
        }
    }

    [Theory]
    [InlineData(64, 64, 19)]
    [InlineData(128, 128, 26)]
    [InlineData(256, 256, 51)]
    public void Factorized_convs_at_awkward_ranks_equal_their_recovered_conv(int cin, int cout, int rank)
    {
        using var scope = torch.NewDisposeScope();
        var layer = new FactorizedConv2d(cin, cout, 3, rank, padding: 1);
        var x = torch.randn(2, cin, 6, 6, generator: new Generator(3));
        TensorAssert.Close(nn.functional.conv2d(x.to(ScalarType.Float64), layer.RecoverWeight().to(ScalarType.Float64), padding: [1, 1]), layer.forward(x), 1e-4);
    }

    [Fact]
    public void An_unknown_conv_path_request_is_refused_by_name()
    {
        // The variable is read once per process; its parser is what refuses.
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ParsePathRequest("fast"));
        Assert.Contains(TorchRuntime.PathVariable, e.Message);
        Assert.Contains("auto, onednn, padded, native", e.Message);
        Assert.Equal(ConvPath.OneDnnPadded, TorchRuntime.ParsePathRequest(" Padded "));
        Assert.Null(TorchRuntime.ParsePathRequest("auto"));
        Assert.Null(TorchRuntime.ParsePathRequest(null));
    }
}
