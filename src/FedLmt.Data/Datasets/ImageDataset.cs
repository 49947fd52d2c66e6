namespace FedLmt.Data;

/// <summary>
/// A labelled image set held in memory: every pixel in one byte array laid out N x C x H x W (uint8), one label per image.
/// </summary>
/// <remarks>
/// <see cref="Pixels"/> and <see cref="Labels"/> are exposed as arrays so loaders can read them without copies;
/// they belong to the dataset and must not be modified.
/// </remarks>
public sealed class ImageDataset
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
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(normalization);
        if (channels <= 0 || height <= 0 || width <= 0)
        {
            throw new ArgumentException($"Dataset '{name}': image shape {channels}x{height}x{width}; expected positive C, H and W.");
        }
        if (classCount <= 0)
        {
            throw new ArgumentException($"Dataset '{name}': class count {classCount}; expected at least 1.");
        }
        var sampleSize = (long)channels * height * width;
        if (pixels.LongLength != sampleSize * labels.LongLength)
        {
            throw new ArgumentException(
                $"Dataset '{name}': {pixels.LongLength} pixel bytes for {labels.Length} labels; " +
                $"expected {labels.LongLength} x {channels}x{height}x{width} = {sampleSize * labels.LongLength}.");
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException(
                    $"Dataset '{name}': label {labels[i]} at index {i} is out of range; expected 0..{classCount - 1}.");
            }
        }
        if (normalization.Channels != channels)
        {
            throw new ArgumentException(
                $"Dataset '{name}': normalization has {normalization.Channels} channels; expected {channels}.");
        }
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"Dataset '{name}': {classNames.Count} class names; expected {classCount}.");
        }

        Name = name;
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
        Normalization = normalization;
        ClassNames = classNames is null
            ? [.. Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [.. classNames];
    }

    /// <summary>A short human-readable name, e.g. "fmnist-embedded/train".</summary>
    public string Name { get; }

    /// <summary>All pixels, N x C x H x W.</summary>
    public byte[] Pixels { get; }

    /// <summary>One class index per image, in [0, <see cref="ClassCount"/>).</summary>
    public int[] Labels { get; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of classes (labels range over 0..ClassCount-1).</summary>
    public int ClassCount { get; }

    /// <summary>Class names, one per class index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per-channel normalization to apply when converting to tensors.</summary>
    public Normalization Normalization { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Bytes per image (C x H x W).</summary>
    public int SampleSize => Channels * Height * Width;

    /// <summary>The pixels of image <paramref name="index"/>, C x H x W.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * SampleSize, SampleSize);
    }

    /// <summary>How many images each class has.</summary>
    public int[] ClassHistogram()
    {
        var histogram = new int[ClassCount];
        foreach (var label in Labels)
        {
            histogram[label]++;
        }
        return histogram;
    }

    /// <summary>A new dataset holding copies of the given images, in the given order.</summary>
    public ImageDataset Select(IReadOnlyList<int> indices, string? name = null)
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
    public override string ToString() => $"{Name}: {Count} images {Channels}x{Height}x{Width}, {ClassCount} classes";
}
