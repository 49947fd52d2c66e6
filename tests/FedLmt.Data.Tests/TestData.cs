using System.IO.Compression;

namespace FedLmt.Data.Tests;

/// <summary>Small hand-made datasets and file helpers shared by the tests.</summary>
internal static class TestData
{
    /// <summary>A 1-channel dataset whose image i is filled with byte (i mod 256) and whose label is labels[i].</summary>
    public static ImageDataset Dataset(int[] labels, int classCount, int height = 2, int width = 2, string name = "test")
    {
        var size = height * width;
        var pixels = new byte[labels.Length * size];
        for (var i = 0; i < labels.Length; i++)
        {
            pixels.AsSpan(i * size, size).Fill((byte)(i % 256));
        }
        return new ImageDataset(name, pixels, labels, 1, height, width, classCount, new Normalization([0.5f], [0.25f]));
    }

    /// <summary>Labels 0,1,...,classes-1 repeated perClass times, in class-interleaved order.</summary>
    public static int[] BalancedLabels(int classes, int perClass) =>
        [.. Enumerable.Range(0, classes * perClass).Select(i => i % classes)];

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }
        return output.ToArray();
    }

    /// <summary>The repository root (the folder holding FedLmt.slnx), found from the test binaries upward.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FedLmt.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("FedLmt.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Asserts that the per-client index arrays are disjoint and together hold exactly 0..n-1.</summary>
    public static void AssertDisjointCover(IReadOnlyList<int[]> parts, int n)
    {
        var seen = new int[n];
        foreach (var part in parts)
        {
            foreach (var i in part)
            {
                seen[i]++;
            }
        }
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    /// <summary>[client][class] counts.</summary>
    public static int[][] Histograms(IReadOnlyList<int[]> parts, int[] labels, int classes) =>
        [.. parts.Select(p =>
        {
            var h = new int[classes];
            foreach (var i in p)
            {
                h[labels[i]]++;
            }
            return h;
        })];
}
