using TorchSharp;

namespace FedLmt.Data.Tests;

public class BatchLoaderTests
{
    // 100 samples whose label is their own index, so a batch's y tells which samples it holds.
    private static readonly ImageDataset Identity = TestData.Dataset([.. Enumerable.Range(0, 100)], 100, 3, 3);

    private static List<long[]> LabelsOf(IEnumerable<Batch> batches)
    {
        var result = new List<long[]>();
        foreach (var batch in batches)
        {
            using (batch)
            {
                result.Add(batch.Y.data<long>().ToArray());
            }
        }
        return result;
    }

    [Fact]
    public void An_epoch_yields_every_index_exactly_once()
    {
        int[] indices = [.. Enumerable.Range(0, 100).Where(i => i % 3 != 0)];
        var loader = new BatchLoader(Identity, indices, batchSize: 8);

        var seen = LabelsOf(loader.Epoch(1)).SelectMany(b => b).Select(v => (int)v).ToArray();

        Assert.Equal(indices.Length, seen.Length);
        Assert.Equal(indices, seen.Order());
    }

    [Fact]
    public void The_same_seed_gives_the_same_batches_and_another_seed_another_order()
    {
        var loader = new BatchLoader(Identity, [.. Enumerable.Range(0, 100)], batchSize: 16);
        var again = new BatchLoader(Identity, [.. Enumerable.Range(0, 100)], batchSize: 16);

        var a = LabelsOf(loader.Epoch(42)).SelectMany(b => b).ToArray();
        var b = LabelsOf(again.Epoch(42)).SelectMany(b => b).ToArray();
        var c = LabelsOf(loader.Epoch(43)).SelectMany(b => b).ToArray();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (long)i), a);
    }

    [Fact]
    public void Batches_have_the_requested_shapes_and_types_with_a_short_last_batch()
    {
        var loader = new BatchLoader(Identity, [.. Enumerable.Range(0, 10)], batchSize: 4);

        var shapes = new List<(long[] X, long[] Y)>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal(torch.float32, batch.X.dtype);
                Assert.Equal(torch.int64, batch.Y.dtype);
                shapes.Add((batch.X.shape, batch.Y.shape));
            }
        }

        Assert.Equal(3, loader.BatchesPerEpoch);
        Assert.Equal(new long[] { 4, 1, 3, 3 }, shapes[0].X);
        Assert.Equal(new long[] { 2, 1, 3, 3 }, shapes[2].X);
        Assert.Equal(new long[] { 2 }, shapes[2].Y);
    }

    [Fact]
    public void Drop_last_leaves_out_the_short_batch()
    {
        var loader = new BatchLoader(Identity, [.. Enumerable.Range(0, 10)], batchSize: 4, dropLast: true);

        var batches = LabelsOf(loader.Epoch(0));

        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal(new[] { 4, 4 }, batches.Select(b => b.Length));
    }

    [Fact]
    public void In_order_mode_keeps_the_given_order_and_normalizes_without_augmentation()
    {
        int[] indices = [7, 3, 250 % 100, 99, 0];
        var loader = new BatchLoader(Identity, indices, batchSize: 2, augmentation: Augmentation.CifarStandard, dropLast: true);

        var labels = new List<long>();
        var firstPixels = new List<float>();
        foreach (var batch in loader.InOrder())
        {
            using (batch)
            {
                labels.AddRange(batch.Y.data<long>().ToArray());
                var x = batch.X.data<float>().ToArray();
                for (var i = 0; i < batch.Size; i++)
                {
                    // Every pixel of image k is byte k; normalization (0.5, 0.25): (k/255 - 0.5) / 0.25.
                    Assert.All(x.AsSpan(i * 9, 9).ToArray(), v => Assert.Equal(x[i * 9], v));
                    firstPixels.Add(x[i * 9]);
                }
            }
        }

        Assert.Equal(indices.Select(i => (long)i), labels);
        Assert.Equal(indices.Select(k => (k / 255f - 0.5f) / 0.25f), firstPixels);
    }

    [Fact]
    public void Augmented_epoch_equals_shuffle_then_per_sample_draws_from_the_same_generator()
    {
        // Distinct pixel values per position so any crop or flip mistake shows.
        var pixels = new byte[20 * 2 * 4 * 5];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7 % 251);
        }
        var dataset = new ImageDataset("aug", pixels, [.. Enumerable.Range(0, 20)], 2, 4, 5, 20, new Normalization([0.3f, 0.6f], [0.2f, 0.4f]));
        var augmentation = new Augmentation(2, true);
        int[] indices = [.. Enumerable.Range(0, 20)];
        var loader = new BatchLoader(dataset, indices, batchSize: 6, augmentation);

        // The documented contract, computed with the separate crop, flip and normalize steps.
        var random = new SeededRandom(77);
        var order = (int[])indices.Clone();
        random.Shuffle(order.AsSpan());
        var table = dataset.Normalization.BuildLookupTable();
        var expected = new List<float>();
        var cropped = new byte[40];
        var flipped = new byte[40];
        var normalized = new float[40];
        foreach (var i in order)
        {
            var draw = augmentation.Draw(random);
            ImageTransforms.Crop(dataset.Image(i), cropped, 2, 4, 5, 2, draw.OffsetY, draw.OffsetX);
            if (draw.Flip)
            {
                ImageTransforms.FlipHorizontal(cropped, flipped, 2, 4, 5);
            }
            ImageTransforms.Normalize(draw.Flip ? flipped : cropped, normalized, 2, 4, 5, table);
            expected.AddRange(normalized);
        }

        var actual = new List<float>();
        foreach (var batch in loader.Epoch(77))
        {
            using (batch)
            {
                actual.AddRange(batch.X.data<float>().ToArray());
            }
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Refuses_an_index_outside_the_dataset()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(Identity, [0, 100], 4));

        Assert.Contains("Sample index 100 at position 1", ex.Message);
    }

    [Fact]
    public void Refuses_a_batch_size_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(Identity, [0], 0));
    }
}
