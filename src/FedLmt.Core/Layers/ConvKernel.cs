using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>
/// The one place float32 convolutions of the models run: <c>conv2d</c> on the path <see cref="TorchRuntime"/> chose
/// (<see cref="ConvPath"/>). On <see cref="ConvPath.OneDnnPadded"/>, channel counts off the SIMD width are padded with
/// zeros - input channels with zero weight columns, output channels with zero weight rows that are cut off again - which
/// is exact forward and backward: a zero channel adds nothing to any sum, and the gradients of the padding are dropped.
/// </summary>
public static class ConvKernel
{
    /// <summary>The channel multiple oneDNN's blocked layouts use with AVX-512 (16 floats).</summary>
    public const int ChannelBlock = 16;

    /// <summary>The path of this process (runs the start-up check on first use).</summary>
    public static ConvPath Path => TorchRuntime.EnsureInitialized().ConvPath;

    /// <summary><c>conv2d</c> on this process's path.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding) =>
        Conv2d(input, weight, bias, stride, padding, Path);

    /// <summary><c>conv2d</c> on <paramref name="path"/> (the start-up check and the tests choose it explicitly).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, ConvPath path)
    {
        if (path != ConvPath.OneDnnPadded) return nn.functional.conv2d(input, weight, bias, stride, padding);
        long cin = weight.shape[1], cout = weight.shape[0];
        long cinPadded = Padded(cin, path), coutPadded = Padded(cout, path);
        if (cinPadded == cin && coutPadded == cout) return nn.functional.conv2d(input, weight, bias, stride, padding);

        using var scope = torch.NewDisposeScope();
        if (cin < ChannelBlock / 2) return Unfolded(input, weight, bias, stride, padding).MoveToOuterDisposeScope();
        var x = cinPadded == cin ? input : nn.functional.pad(input, [0, 0, 0, 0, 0, cinPadded - cin]);
        var w = nn.functional.pad(weight, [0, 0, 0, 0, 0, cinPadded - cin, 0, coutPadded - cout]);
        var b = bias is null || coutPadded == cout ? bias : nn.functional.pad(bias, [0, coutPadded - cout]);
        var y = nn.functional.conv2d(x, w, b, stride, padding);
        return (coutPadded == cout ? y : y.narrow(1, 0, cout)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A conv with few input channels (a stem: 1 or 3) as im2col and one matrix product, outside oneDNN: padding 1 input
    /// channel to 16 would multiply the stem's work by 16. Exact up to float32 summation order, like any conv.
    /// </summary>
    static Tensor Unfolded(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding)
    {
        long n = input.shape[0], cout = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
        long hOut = (input.shape[2] + 2 * padding[0] - kh) / stride[0] + 1, wOut = (input.shape[3] + 2 * padding[1] - kw) / stride[1] + 1;
        var columns = nn.functional.unfold(input, (kh, kw), (1, 1), (padding[0], padding[1]), (stride[0], stride[1])); // (N, C_in k k, L)
        var output = weight.reshape(cout, -1).matmul(columns); // (N, C_out, L)
        if (bias is not null) output = output + bias.reshape(1, cout, 1);
        return output.reshape(n, cout, hOut, wOut);
    }

    /// <summary>The channel count a conv runs with on <paramref name="path"/>: rounded up to <see cref="ChannelBlock"/> when padded.</summary>
    public static long Padded(long channels, ConvPath path) =>
        path == ConvPath.OneDnnPadded ? (channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock : channels;

    /// <summary>
    /// The activation layout convolutions run fastest in on this path: channels-last (NHWC strides, the same logical
    /// tensor) on oneDNN, which then needs no reorder before and after every conv; unchanged on the native path.
    /// Layers after it (BatchNorm, ReLU, pooling, additions) keep the layout.
    /// </summary>
    public static Tensor ToConvLayout(Tensor activation) => ToConvLayout(activation, Path);

    /// <summary><see cref="ToConvLayout(Tensor)"/> for an explicit path.</summary>
    public static Tensor ToConvLayout(Tensor activation, ConvPath path)
    {
        if (path == ConvPath.Native || activation.dim() != 4) return activation.alias();
        using var nhwc = activation.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }
}
