namespace FedLmt.Layers;

/// <summary>
/// How float32 convolutions run in this process, chosen once by <see cref="TorchRuntime"/>'s start-up check (fastest
/// path first, each kept only if it matches float64) or forced with <c>FEDLMT_CONV_PATH</c>.
/// </summary>
public enum ConvPath
{
    /// <summary>oneDNN for every shape, activations in channels-last layout (the fastest, where oneDNN is exact).</summary>
    OneDnn,

    /// <summary>
    /// oneDNN with every channel count padded with zeros to a multiple of <see cref="ConvKernel.ChannelBlock"/>: for
    /// CPUs where oneDNN is exact only on its blocked layouts (libtorch 2.10 on some AVX-512 machines).
    /// </summary>
    OneDnnPadded,

    /// <summary>libtorch's own convolution with oneDNN switched off for the process (slow, exact everywhere).</summary>
    Native,
}
