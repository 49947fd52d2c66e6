namespace FedLmt.Data;

/// <summary>
/// Training-time augmentation: a random crop of the original size from the image zero-padded by
/// <see cref="CropPadding"/> on every side, then a horizontal flip with probability 1/2 (torchvision's
/// RandomCrop(size, padding) followed by RandomHorizontalFlip()).
/// </summary>
public sealed record Augmentation
{
    /// <summary>Creates an augmentation; padding 0 means no crop.</summary>
    public Augmentation(int cropPadding, bool horizontalFlip)
    {
        if (cropPadding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cropPadding), cropPadding, "Crop padding must be 0 (no crop) or positive.");
        }
        CropPadding = cropPadding;
        HorizontalFlip = horizontalFlip;
    }

    /// <summary>No augmentation (the reference's setting for MNIST and Fashion-MNIST).</summary>
    public static Augmentation None { get; } = new(0, false);

    /// <summary>Random crop with padding 4 and horizontal flip (the reference's CIFAR setting).</summary>
    public static Augmentation CifarStandard { get; } = new(4, true);

    /// <summary>Zero padding added on every side before the random crop; 0 disables the crop.</summary>
    public int CropPadding { get; }

    /// <summary>Whether to flip left-right with probability 1/2.</summary>
    public bool HorizontalFlip { get; }

    /// <summary>True when the augmentation leaves every image unchanged.</summary>
    public bool IsIdentity => CropPadding == 0 && !HorizontalFlip;

    /// <summary>Draws the random parameters for one image: crop offsets in [0, 2 x padding], then the flip.</summary>
    public AugmentationDraw Draw(SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var offsetY = CropPadding > 0 ? random.NextInt(2 * CropPadding + 1) : CropPadding;
        var offsetX = CropPadding > 0 ? random.NextInt(2 * CropPadding + 1) : CropPadding;
        var flip = HorizontalFlip && (random.NextUInt64() >> 63) == 1;
        return new AugmentationDraw(offsetY, offsetX, flip);
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsIdentity ? "none" : $"crop pad {CropPadding}{(HorizontalFlip ? " + horizontal flip" : "")}";
}

/// <summary>
/// The random parameters of one augmented image: the top-left corner of the crop in padded coordinates
/// (so offset = padding means no shift) and whether the crop is mirrored.
/// </summary>
public readonly record struct AugmentationDraw(int OffsetY, int OffsetX, bool Flip);
