namespace FedLmt.Data.Tests;

public class AugmentationTests
{
    [Fact]
    public void Draws_cover_every_crop_offset_and_flip_about_half_the_time()
    {
        var augmentation = new Augmentation(cropPadding: 2, horizontalFlip: true);
        var random = new SeededRandom(4);

        var draws = Enumerable.Range(0, 10_000).Select(_ => augmentation.Draw(random)).ToArray();

        Assert.Equal(Enumerable.Range(0, 5), draws.Select(d => d.OffsetY).Distinct().Order());
        Assert.Equal(Enumerable.Range(0, 5), draws.Select(d => d.OffsetX).Distinct().Order());
        // Binomial(10000, 1/2): standard deviation 50.
        Assert.InRange(draws.Count(d => d.Flip), 4_750, 5_250);
    }

    [Fact]
    public void No_augmentation_always_draws_the_identity()
    {
        var random = new SeededRandom(4);

        var draws = Enumerable.Range(0, 100).Select(_ => Augmentation.None.Draw(random)).Distinct().ToArray();

        Assert.Equal(new[] { new AugmentationDraw(0, 0, false) }, draws);
        Assert.True(Augmentation.None.IsIdentity);
    }

    [Fact]
    public void Flip_only_never_shifts()
    {
        var random = new SeededRandom(4);
        var flipOnly = new Augmentation(0, true);

        var draws = Enumerable.Range(0, 100).Select(_ => flipOnly.Draw(random)).ToArray();

        Assert.All(draws, d => Assert.Equal((0, 0), (d.OffsetY, d.OffsetX)));
        Assert.Contains(draws, d => d.Flip);
    }

    [Fact]
    public void Refuses_negative_padding()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation(-1, false));
    }
}
