namespace FedLmt.Data;

/// <summary>Per-channel mean and standard deviation applied to pixels scaled to [0, 1]: (v / 255 - mean) / std.</summary>
public sealed class Normalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a normalization; both lists need one positive-std entry per channel.</summary>
    public Normalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException(
                $"Normalization needs one mean and one std per channel; found {mean.Count} means and {std.Count} stds.");
        }
        for (var c = 0; c < std.Count; c++)
        {
            if (!(std[c] > 0) || !float.IsFinite(std[c]) || !float.IsFinite(mean[c]))
            {
                throw new ArgumentException(
                    $"Normalization channel {c}: mean {mean[c]} and std {std[c]}; expected a finite mean and a finite std > 0.");
            }
        }
        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>Fashion-MNIST training-set statistics.</summary>
    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    /// <summary>MNIST training-set statistics.</summary>
    public static Normalization Mnist { get; } = new([0.1307f], [0.3081f]);

    /// <summary>CIFAR-10 statistics used by the reference implementation.</summary>
    public static Normalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2023f, 0.1994f, 0.2010f]);

    /// <summary>CIFAR-100 training-set statistics as commonly published.</summary>
    public static Normalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>Per-channel means on the [0, 1] scale.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviations on the [0, 1] scale.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>The normalized value of one byte pixel in one channel.</summary>
    public float Apply(int channel, byte value) => (value / 255f - _mean[channel]) / _std[channel];

    /// <summary>
    /// The normalized value of every byte in every channel: entry [channel * 256 + value], so a batch converts bytes
    /// by table look-up instead of arithmetic.
    /// </summary>
    public float[] BuildLookupTable()
    {
        var table = new float[Channels * 256];
        for (var c = 0; c < Channels; c++)
        {
            for (var v = 0; v < 256; v++)
            {
                table[c * 256 + v] = Apply(c, (byte)v);
            }
        }
        return table;
    }

    /// <summary>Measures per-channel mean and (population) std of a pixel array laid out N x C x H x W.</summary>
    public static Normalization Estimate(ReadOnlySpan<byte> pixels, int channels, int height, int width)
    {
        var plane = height * width;
        var sampleSize = channels * plane;
        if (sampleSize <= 0 || pixels.Length == 0 || pixels.Length % sampleSize != 0)
        {
            throw new ArgumentException(
                $"Cannot estimate a normalization from {pixels.Length} bytes of {channels}x{height}x{width} images.");
        }
        var counts = new long[channels * 256];
        for (var offset = 0; offset < pixels.Length; offset += sampleSize)
        {
            for (var c = 0; c < channels; c++)
            {
                foreach (var v in pixels.Slice(offset + c * plane, plane))
                {
                    counts[c * 256 + v]++;
                }
            }
        }
        var mean = new float[channels];
        var std = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            double n = 0, sum = 0, sumSquares = 0;
            for (var v = 0; v < 256; v++)
            {
                var k = counts[c * 256 + v];
                var x = v / 255.0;
                n += k;
                sum += k * x;
                sumSquares += k * x * x;
            }
            var m = sum / n;
            mean[c] = (float)m;
            // A constant channel would give std 0; 1 keeps the transform finite and leaves such data centred.
            var s = Math.Sqrt(Math.Max(0, sumSquares / n - m * m));
            std[c] = s > 1e-6 ? (float)s : 1f;
        }
        return new Normalization(mean, std);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"mean ({string.Join(", ", _mean.Select(m => m.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}), " +
        $"std ({string.Join(", ", _std.Select(s => s.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))})";
}
