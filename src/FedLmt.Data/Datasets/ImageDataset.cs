namespace FedLmt.Data;

/// <summary>
/// A labelled image set held in memory: every pixel in one byte array laid out N x C x H x W (uint8), one label per image.
/// </summary>
/// <remarks>
/// <see cref="Pixels"/> and <see cref="Dataset.Labels"/> are exposed as arrays so loaders can read them without copies;
/// they belong to the dataset and must not be modified.
/// </remarks>
public sealed class ImageDataset : Dataset
{
    /// <summary>Creates a dataset after checking that sizes, labels and normalization agree.</summary>
    public ImageDataset(
        string name,
        byte[] pixels,
        int[] labels,
        int channels,
        int height,
        int width,
        int classCount,
        Normalization normalization,
        IReadOnlyList<string>? classNames = null)
        : base(name, labels, classCount, classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(normalization);
        if (channels <= 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException($"Dataset '{name}': image shape {channels}x{height}x{width}; expected positive C, H and W.");
        }
        var sampleSize = (long)channels * height * width;
        if (pixels.LongLength != sampleSize * labels.LongLength)
        {
            throw new ArgumentException(
                $"Dataset '{name}': {pixels.LongLength} pixel bytes for {labels.Length} labels; " +
                $"expected {labels.LongLength} x {channels}x{height}x{width} = {sampleSize * labels.LongLength}.");
        }
        if (normalization.Channels != channels)
        {
            throw new ArgumentException(
                $"Dataset '{name}': normalization has {normalization.Channels} channels; expected {channels}.");
        }

        Pixels = pixels;
        Channels = channels;
        Height = height;
        Width = width;
        Normalization = normalization;
    }

    /// <summary>All pixels, N x C x H x W.</summary>
    public byte[] Pixels { get; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Per-channel normalization to apply when converting to tensors.</summary>
    public Normalization Normalization { get; }

    /// <summary>Bytes per image (C x H x W).</summary>
    public int SampleSize => Channels * Height * Width;

    /// <summary>The pixels of image <paramref name="index"/>, C x H x W.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>A new dataset holding copies of the given images, in the given order.</summary>
    public override ImageDataset Select(IReadOnlyList<int> indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var size = SampleSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = Labels[indices[i]];
        }
        return new ImageDataset(name ?? Name, pixels, labels, Channels, Height, Width, ClassCount, Normalization, ClassNames);
    }

    /// <inheritdoc />
    public override string? MismatchWith(Dataset test) => test switch
    {
        ImageDataset t when t.Channels != Channels || t.Height != Height || t.Width != Width =>
            $"Train set '{Name}' has images {Channels}x{Height}x{Width} but test set '{t.Name}' has {t.Channels}x{t.Height}x{t.Width}; both must have the same shape.",
        ImageDataset t when t.ClassCount != ClassCount => $"Train set '{Name}' has {ClassCount} classes but test set '{t.Name}' has {t.ClassCount}.",
        ImageDataset => null,
        _ => $"Train set '{Name}' holds images but test set '{test.Name}' does not.",
    };

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} images {Channels}x{Height}x{Width}, {ClassCount} classes";
}
