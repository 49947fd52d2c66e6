using System.Buffers.Binary;
using SkiaSharp;

namespace FedLmt.Reporting.Tests;

/// <summary>Reads PNG headers by hand and pixels through SkiaSharp.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the IHDR chunk, which follows the 8-byte signature: length, "IHDR", width, height.</summary>
    public static (int Width, int Height) Size(byte[] png)
    {
        Assert.Equal(Signature, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    /// <summary>How many pixels lie within <paramref name="tolerance"/> of the color in every channel.</summary>
    public static int CountColor(byte[] png, byte r, byte g, byte b, int tolerance = 8)
    {
        using var bitmap = SKBitmap.Decode(png);
        var count = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            if (Math.Abs(pixel.Red - r) <= tolerance && Math.Abs(pixel.Green - g) <= tolerance && Math.Abs(pixel.Blue - b) <= tolerance)
            {
                count++;
            }
        }
        return count;
    }
}
