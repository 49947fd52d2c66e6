namespace FedLmt.Data;

/// <summary>
/// Fashion-MNIST: the stratified subset embedded in this assembly (the default dataset, always available), and the
/// full set where it is installed (the Debian package dataset-fashion-mnist puts it in <see cref="DefaultDirectory"/>).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package installs the full dataset.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The standard file names (each may also be present without the .gz suffix).</summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ];

    /// <summary>The ten class names in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Images per class in the embedded subset's train split.</summary>
    public const int SubsetTrainPerClass = 1200;

    /// <summary>Images per class in the embedded subset's test split.</summary>
    public const int SubsetTestPerClass = 200;

    internal const string ResourcePrefix = "FedLmt.Data.FashionMnistSubset.";

    /// <summary>
    /// The embedded subset (1200 train + 200 test images per class), checked against its embedded SHA-256 manifest.
    /// Needs no file system access.
    /// </summary>
    public static DatasetSplit LoadEmbeddedSubset()
    {
        var files = new EmbeddedFiles(ResourcePrefix, "data/fashion-mnist-subset");
        return FromFiles(files.Read, "fmnist-embedded", "embedded ", files.Manifest);
    }

    /// <summary>A subset written by <see cref="FashionMnistSubsetBuilder"/> to <paramref name="directory"/>, checked against its manifest.</summary>
    public static DatasetSplit LoadSubset(string directory)
    {
        var manifestPath = Path.Combine(directory, ChecksumManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"Subset directory '{directory}' has no checksum manifest '{ChecksumManifest.FileName}'.", manifestPath);
        }
        var manifest = ChecksumManifest.Parse(File.ReadAllText(manifestPath), manifestPath);
        return FromFiles(name => ReadFile(Path.Combine(directory, name)), "fmnist-subset", Path.GetFullPath(directory) + Path.DirectorySeparatorChar, manifest);
    }

    /// <summary>True if the full dataset's four files are in <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).</summary>
    public static bool IsInstalled(string? directory = null)
    {
        var dir = directory ?? DefaultDirectory;
        return FileNames.All(f => FindFile(dir, f) is not null);
    }

    /// <summary>The full dataset (60000 train, 10000 test) from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).</summary>
    public static DatasetSplit LoadFull(string? directory = null) =>
        IdxDirectory.Load(directory ?? DefaultDirectory, "fmnist", 10, Normalization.FashionMnist, ClassNames,
            "install the Debian package dataset-fashion-mnist, or give the folder that holds these files");

    internal static string? FindFile(string directory, string gzName)
    {
        var gz = Path.Combine(directory, gzName);
        if (File.Exists(gz))
        {
            return gz;
        }
        var raw = Path.Combine(directory, Path.GetFileNameWithoutExtension(gzName));
        return File.Exists(raw) ? raw : null;
    }

    private static DatasetSplit FromFiles(Func<string, byte[]> read, string name, string sourcePrefix, ChecksumManifest manifest)
    {
        byte[] Verified(string file)
        {
            var content = read(file);
            manifest.Verify(file, content);
            return content;
        }

        ImageDataset Split(string split, string images, string labels) =>
            IdxFile.ToDataset(
                IdxFile.ParseImages(Verified(images), sourcePrefix + images), sourcePrefix + images,
                IdxFile.ParseLabels(Verified(labels), sourcePrefix + labels), sourcePrefix + labels,
                $"{name}/{split}", 10, Normalization.FashionMnist, ClassNames);

        return new DatasetSplit(
            Split("train", FileNames[0], FileNames[1]),
            Split("test", FileNames[2], FileNames[3]),
            Augmentation.None);
    }

    private static byte[] ReadFile(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"Subset file '{path}' does not exist.", path);
}
