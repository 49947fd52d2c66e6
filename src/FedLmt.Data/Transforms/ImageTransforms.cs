using System.Runtime.CompilerServices;

namespace FedLmt.Data;

/// <summary>
/// Per-image operations on C x H x W byte images: crop from a zero-padded image, horizontal flip, and
/// normalization to floats by table look-up, plus the fused form the batch loader uses.
/// </summary>
public static class ImageTransforms
{
    /// <summary>
    /// Crops an H x W window whose top-left corner is (offsetY, offsetX) in the image zero-padded by
    /// <paramref name="padding"/> on each side.
    /// </summary>
    public static void Crop(
        ReadOnlySpan<byte> source, Span<byte> destination, int channels, int height, int width,
        int padding, int offsetY, int offsetX)
    {
        CheckShape(source.Length, destination.Length, channels, height, width);
        CheckOffsets(padding, offsetY, offsetX);
        for (var c = 0; c < channels; c++)
        {
            for (var y = 0; y < height; y++)
            {
                var sy = y + offsetY - padding;
                var row = destination.Slice((c * height + y) * width, width);
                if ((uint)sy >= (uint)height)
                {
                    row.Clear();
                    continue;
                }
                var sourceRow = source.Slice((c * height + sy) * width, width);
                for (var x = 0; x < width; x++)
                {
                    var sx = x + offsetX - padding;
                    row[x] = (uint)sx < (uint)width ? sourceRow[sx] : (byte)0;
                }
            }
        }
    }

    /// <summary>Mirrors every row left-right.</summary>
    public static void FlipHorizontal(ReadOnlySpan<byte> source, Span<byte> destination, int channels, int height, int width)
    {
        CheckShape(source.Length, destination.Length, channels, height, width);
        for (var row = 0; row < channels * height; row++)
        {
            var s = source.Slice(row * width, width);
            var d = destination.Slice(row * width, width);
            for (var x = 0; x < width; x++)
            {
                d[x] = s[width - 1 - x];
            }
        }
    }

    /// <summary>Converts bytes to normalized floats with a table from <see cref="Normalization.BuildLookupTable"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(
        ReadOnlySpan<byte> source, Span<float> destination, int channels, int height, int width, ReadOnlySpan<float> lookupTable)
    {
        CheckShape(source.Length, destination.Length, channels, height, width);
        CheckTable(lookupTable, channels);
        var plane = height * width;
        for (var c = 0; c < channels; c++)
        {
            var table = lookupTable.Slice(c * 256, 256);
            var s = source.Slice(c * plane, plane);
            var d = destination.Slice(c * plane, plane);
            for (var i = 0; i < s.Length; i++)
            {
                d[i] = table[s[i]];
            }
        }
    }

    /// <summary>
    /// Crop, flip and normalize in one pass, with no intermediate image: the result equals
    /// Normalize(FlipHorizontal(Crop(source))) when <see cref="AugmentationDraw.Flip"/> is set, Normalize(Crop(source)) otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CropFlipNormalize(
        ReadOnlySpan<byte> source, Span<float> destination, int channels, int height, int width,
        int padding, AugmentationDraw draw, ReadOnlySpan<float> lookupTable)
    {
        CheckShape(source.Length, destination.Length, channels, height, width);
        CheckOffsets(padding, draw.OffsetY, draw.OffsetX);
        CheckTable(lookupTable, channels);
        var shiftX = draw.OffsetX - padding;
        var shiftY = draw.OffsetY - padding;
        for (var c = 0; c < channels; c++)
        {
            var table = lookupTable.Slice(c * 256, 256);
            var zero = table[0];
            for (var y = 0; y < height; y++)
            {
                var sy = y + shiftY;
                var row = destination.Slice((c * height + y) * width, width);
                if ((uint)sy >= (uint)height)
                {
                    row.Fill(zero);
                    continue;
                }
                var sourceRow = source.Slice((c * height + sy) * width, width);
                // Output column x reads crop column x (or width-1-x when mirrored), i.e. source column x + shiftX
                // (or width-1-x + shiftX); columns that fall outside the source are padding. Splitting the row into
                // padding / image / padding keeps the inner loop free of range tests.
                var first = Math.Clamp(draw.Flip ? shiftX : -shiftX, 0, width);
                var last = Math.Clamp(draw.Flip ? width + shiftX : width - shiftX, first, width);
                row[..first].Fill(zero);
                row[last..].Fill(zero);
                if (draw.Flip)
                {
                    var mirror = width - 1 + shiftX;
                    for (var x = first; x < last; x++)
                    {
                        row[x] = table[sourceRow[mirror - x]];
                    }
                }
                else
                {
                    for (var x = first; x < last; x++)
                    {
                        row[x] = table[sourceRow[x + shiftX]];
                    }
                }
            }
        }
    }

    private static void CheckShape(int sourceLength, int destinationLength, int channels, int height, int width)
    {
        var size = channels * height * width;
        if (sourceLength != size || destinationLength != size)
        {
            throw new ArgumentException(
                $"Image buffers of {sourceLength} and {destinationLength} elements; expected {channels}x{height}x{width} = {size}.");
        }
    }

    private static void CheckOffsets(int padding, int offsetY, int offsetX)
    {
        if (padding < 0 || (uint)offsetY > (uint)(2 * padding) || (uint)offsetX > (uint)(2 * padding))
        {
            throw new ArgumentOutOfRangeException(
                nameof(padding), $"Crop offsets ({offsetY}, {offsetX}) with padding {padding}; expected offsets in 0..{2 * Math.Max(padding, 0)}.");
        }
    }

    private static void CheckTable(ReadOnlySpan<float> lookupTable, int channels)
    {
        if (lookupTable.Length != channels * 256)
        {
            throw new ArgumentException($"Lookup table of {lookupTable.Length} entries; expected 256 per channel = {channels * 256}.");
        }
    }
}
