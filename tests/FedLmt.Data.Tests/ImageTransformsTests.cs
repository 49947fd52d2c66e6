namespace FedLmt.Data.Tests;

public class ImageTransformsTests
{
    // 1 x 3 x 3 image:
    //   1 2 3
    //   4 5 6
    //   7 8 9
    private static readonly byte[] Tiny = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    private static byte[] Crop(int offsetY, int offsetX)
    {
        var result = new byte[9];
        ImageTransforms.Crop(Tiny, result, 1, 3, 3, padding: 1, offsetY, offsetX);
        return result;
    }

    [Fact]
    public void Crop_at_the_centre_of_the_padded_image_is_the_identity()
    {
        Assert.Equal(Tiny, Crop(1, 1));
    }

    [Fact]
    public void Crop_at_the_top_left_corner_shifts_the_image_down_and_right()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 1, 2, 0, 4, 5 }, Crop(0, 0));
    }

    [Fact]
    public void Crop_at_the_bottom_right_corner_shifts_the_image_up_and_left()
    {
        Assert.Equal(new byte[] { 5, 6, 0, 8, 9, 0, 0, 0, 0 }, Crop(2, 2));
    }

    [Fact]
    public void Crop_at_top_right_shifts_down_and_left()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 2, 3, 0, 5, 6, 0 }, Crop(0, 2));
    }

    [Fact]
    public void Flip_mirrors_each_row()
    {
        var result = new byte[9];

        ImageTransforms.FlipHorizontal(Tiny, result, 1, 3, 3);

        Assert.Equal(new byte[] { 3, 2, 1, 6, 5, 4, 9, 8, 7 }, result);
    }

    [Fact]
    public void Normalize_looks_up_each_channel_in_its_own_table()
    {
        // 2 x 1 x 2 image; channel 0 maps v to v, channel 1 maps v to -v.
        var table = new float[512];
        for (var v = 0; v < 256; v++)
        {
            table[v] = v;
            table[256 + v] = -v;
        }
        var result = new float[4];

        ImageTransforms.Normalize([10, 20, 30, 40], result, 2, 1, 2, table);

        Assert.Equal(new float[] { 10, 20, -30, -40 }, result);
    }

    [Fact]
    public void Fused_crop_flip_normalize_on_the_tiny_image_matches_hand_result()
    {
        var table = Enumerable.Range(0, 256).Select(v => v * 10f).ToArray();
        var result = new float[9];

        // Crop at (0, 2) gives 0 0 0 / 2 3 0 / 5 6 0; mirrored: 0 0 0 / 0 3 2 / 0 6 5; then x10.
        ImageTransforms.CropFlipNormalize(Tiny, result, 1, 3, 3, 1, new AugmentationDraw(0, 2, Flip: true), table);

        Assert.Equal(new float[] { 0, 0, 0, 0, 30, 20, 0, 60, 50 }, result);
    }

    [Fact]
    public void Fused_transform_equals_crop_then_flip_then_normalize_for_every_draw()
    {
        // 3 x 5 x 4 image with distinct values, padding 2, a table that is not the identity.
        byte[] image = [.. Enumerable.Range(0, 60).Select(i => (byte)(i * 4 + 3))];
        var table = new Normalization([0.1f, 0.5f, 0.9f], [0.2f, 0.3f, 0.4f]).BuildLookupTable();
        var cropped = new byte[60];
        var flipped = new byte[60];
        var expected = new float[60];
        var actual = new float[60];

        for (var oy = 0; oy <= 4; oy++)
        {
            for (var ox = 0; ox <= 4; ox++)
            {
                foreach (var flip in new[] { false, true })
                {
                    ImageTransforms.Crop(image, cropped, 3, 5, 4, 2, oy, ox);
                    if (flip)
                    {
                        ImageTransforms.FlipHorizontal(cropped, flipped, 3, 5, 4);
                    }
                    ImageTransforms.Normalize(flip ? flipped : cropped, expected, 3, 5, 4, table);
                    ImageTransforms.CropFlipNormalize(image, actual, 3, 5, 4, 2, new AugmentationDraw(oy, ox, flip), table);

                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    [Fact]
    public void Padding_becomes_the_normalized_value_of_black()
    {
        var table = Normalization.FashionMnist.BuildLookupTable();
        var result = new float[9];

        ImageTransforms.CropFlipNormalize(Tiny, result, 1, 3, 3, 1, new AugmentationDraw(0, 0, false), table);

        Assert.Equal(Normalization.FashionMnist.Apply(0, 0), result[0]);
    }

    [Fact]
    public void Refuses_offsets_outside_the_padded_image()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Crop(3, 0));
    }
}
