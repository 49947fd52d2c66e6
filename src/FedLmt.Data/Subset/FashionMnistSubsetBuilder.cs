using FedLmt.Federated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Data;

/// <summary>What <see cref="FashionMnistSubsetBuilder.Build"/> wrote.</summary>
/// <param name="Directory">The output folder.</param>
/// <param name="TrainCount">Images in the train split.</param>
/// <param name="TestCount">Images in the test split.</param>
/// <param name="Files">File name to SHA-256 (hex), as listed in the manifest.</param>
public sealed record SubsetBuildResult(string Directory, int TrainCount, int TestCount, IReadOnlyDictionary<string, string> Files);

/// <summary>
/// Builds the embedded default dataset: a stratified, seeded selection of real Fashion-MNIST images, written as
/// gzip IDX files with a SHA-256 manifest (data/fashion-mnist-subset in the repository).
/// </summary>
public static class FashionMnistSubsetBuilder
{
    /// <summary>The seed the embedded subset was built with.</summary>
    public const long DefaultSeed = 1;

    /// <summary>
    /// Picks <paramref name="trainPerClass"/> train and <paramref name="testPerClass"/> test images of every class from the
    /// full dataset in <paramref name="sourceDirectory"/> and writes them to <paramref name="outputDirectory"/>.
    /// The same source, counts and seed always select the same images (kept in their original order).
    /// </summary>
    public static SubsetBuildResult Build(
        string sourceDirectory, string outputDirectory, int trainPerClass = FashionMnist.SubsetTrainPerClass,
        int testPerClass = FashionMnist.SubsetTestPerClass, long seed = DefaultSeed, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        logger ??= NullLogger.Instance;
        var full = FashionMnist.LoadFull(sourceDirectory);
        logger.LogInformation("Loaded {Train} train and {Test} test images from {Source}", full.Train.Count, full.Test.Count, sourceDirectory);

        var train = full.TrainImages.Select(Select(full.TrainImages, trainPerClass, SplitMix64.Derive(seed, 0)), "fmnist-subset/train");
        var test = full.TestImages.Select(Select(full.TestImages, testPerClass, SplitMix64.Derive(seed, 1)), "fmnist-subset/test");

        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [FashionMnist.FileNames[0]] = IdxWriter.EncodeImages(train.Pixels, train.Count, train.Height, train.Width, gzip: true),
            [FashionMnist.FileNames[1]] = IdxWriter.EncodeLabels(ToBytes(train.Labels), gzip: true),
            [FashionMnist.FileNames[2]] = IdxWriter.EncodeImages(test.Pixels, test.Count, test.Height, test.Width, gzip: true),
            [FashionMnist.FileNames[3]] = IdxWriter.EncodeLabels(ToBytes(test.Labels), gzip: true),
        };
        var manifest = ChecksumManifest.Create(files);

        Directory.CreateDirectory(outputDirectory);
        foreach (var (name, content) in files)
        {
            FileBytes.WriteReplacing(Path.Combine(outputDirectory, name), content);
        }
        // The manifest goes last: a build cut short leaves a manifest that disagrees with the files, which loading reports.
        FileBytes.WriteReplacing(Path.Combine(outputDirectory, ChecksumManifest.FileName), System.Text.Encoding.UTF8.GetBytes(manifest.Format()));
        logger.LogInformation("Wrote {Train} train and {Test} test images to {Output}", train.Count, test.Count, outputDirectory);
        return new SubsetBuildResult(outputDirectory, train.Count, test.Count, manifest.Hashes);
    }

    /// <summary>
    /// The stratified selection: for each class, its indices shuffled by a generator seeded with <paramref name="seed"/>,
    /// the first <paramref name="perClass"/> kept; the union returned in ascending order.
    /// </summary>
    public static int[] Select(ImageDataset dataset, int perClass, long seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        var random = new SeededRandom(seed);
        var chosen = new List<int>(perClass * dataset.ClassCount);
        for (var c = 0; c < dataset.ClassCount; c++)
        {
            var ofClass = Enumerable.Range(0, dataset.Count).Where(i => dataset.Labels[i] == c).ToArray();
            if (ofClass.Length < perClass)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(perClass), perClass, $"Dataset '{dataset.Name}' has {ofClass.Length} images of class {c}; cannot take {perClass} per class.");
            }
            random.Shuffle(ofClass.AsSpan());
            chosen.AddRange(ofClass.AsSpan(0, perClass));
        }
        chosen.Sort();
        return [.. chosen];
    }

    private static byte[] ToBytes(int[] labels) => [.. labels.Select(l => checked((byte)l))];
}
