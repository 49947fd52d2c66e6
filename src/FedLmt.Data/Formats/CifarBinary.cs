namespace FedLmt.Data;

/// <summary>
/// Reads the CIFAR binary versions: CIFAR-10 records are 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32),
/// CIFAR-100 records are a coarse label byte, a fine label byte, then the same 3072 bytes.
/// </summary>
public static class CifarBinary
{
    /// <summary>Pixel bytes per CIFAR image (3 x 32 x 32, channel-major).</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>CIFAR-10 training batch files, in order.</summary>
    public static IReadOnlyList<string> Cifar10TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>CIFAR-10 test batch file.</summary>
    public const string Cifar10TestFile = "test_batch.bin";

    /// <summary>CIFAR-10 class names in label order.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>
    /// Loads CIFAR-10 from a directory holding data_batch_1..5.bin and test_batch.bin, or its
    /// cifar-10-batches-bin subfolder (as the official archive unpacks).
    /// </summary>
    public static DatasetSplit ReadCifar10(string directory)
    {
        var dir = Locate(directory, "cifar-10-batches-bin", [.. Cifar10TrainFiles, Cifar10TestFile], "CIFAR-10");
        var names = ReadNames(Path.Combine(dir, "batches.meta.txt"), 10) ?? Cifar10ClassNames;
        var train = ReadRecords([.. Cifar10TrainFiles.Select(f => Path.Combine(dir, f))], 1, 0, 10, "cifar10/train", Normalization.Cifar10, names);
        var test = ReadRecords([Path.Combine(dir, Cifar10TestFile)], 1, 0, 10, "cifar10/test", Normalization.Cifar10, names);
        return new DatasetSplit(train, test, Augmentation.CifarStandard);
    }

    /// <summary>
    /// Loads CIFAR-100 from a directory holding train.bin and test.bin, or its cifar-100-binary subfolder;
    /// fine labels (100 classes) by default, the 20 coarse superclasses if <paramref name="coarseLabels"/>.
    /// </summary>
    public static DatasetSplit ReadCifar100(string directory, bool coarseLabels = false)
    {
        var dir = Locate(directory, "cifar-100-binary", ["train.bin", "test.bin"], "CIFAR-100");
        var classes = coarseLabels ? 20 : 100;
        var labelOffset = coarseLabels ? 0 : 1;
        var names = ReadNames(Path.Combine(dir, coarseLabels ? "coarse_label_names.txt" : "fine_label_names.txt"), classes);
        var kind = coarseLabels ? "cifar100-coarse" : "cifar100";
        var train = ReadRecords([Path.Combine(dir, "train.bin")], 2, labelOffset, classes, $"{kind}/train", Normalization.Cifar100, names);
        var test = ReadRecords([Path.Combine(dir, "test.bin")], 2, labelOffset, classes, $"{kind}/test", Normalization.Cifar100, names);
        return new DatasetSplit(train, test, Augmentation.CifarStandard);
    }

    /// <summary>
    /// Reads CIFAR records from the given files into one dataset. Each record is <paramref name="labelBytes"/> label
    /// bytes (the label used is the one at <paramref name="labelOffset"/>) followed by <see cref="ImageBytes"/> pixels.
    /// </summary>
    public static ImageDataset ReadRecords(
        IReadOnlyList<string> files, int labelBytes, int labelOffset, int classCount, string name,
        Normalization normalization, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var recordSize = labelBytes + ImageBytes;
        var contents = new List<(string Path, byte[] Bytes)>(files.Count);
        long total = 0;
        foreach (var path in files)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"CIFAR file '{path}' does not exist.", path);
            }
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0 || bytes.Length % recordSize != 0)
            {
                throw new InvalidDataException(
                    $"'{path}' is {bytes.Length} bytes, not a positive multiple of the {recordSize}-byte CIFAR record " +
                    $"({labelBytes} label byte{(labelBytes == 1 ? "" : "s")} + {ImageBytes} pixel bytes): the file is truncated or not in this format.");
            }
            contents.Add((path, bytes));
            total += bytes.Length / recordSize;
        }

        var pixels = new byte[total * ImageBytes];
        var labels = new int[total];
        var n = 0;
        foreach (var (path, bytes) in contents)
        {
            for (var offset = 0; offset < bytes.Length; offset += recordSize, n++)
            {
                var label = bytes[offset + labelOffset];
                if (label >= classCount)
                {
                    throw new InvalidDataException(
                        $"'{path}': record {offset / recordSize} has label {label}; expected 0..{classCount - 1}.");
                }
                labels[n] = label;
                bytes.AsSpan(offset + labelBytes, ImageBytes).CopyTo(pixels.AsSpan(n * ImageBytes, ImageBytes));
            }
        }
        return new ImageDataset(name, pixels, labels, 3, 32, 32, classCount, normalization, classNames);
    }

    private static string Locate(string directory, string archiveFolder, string[] required, string dataset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        foreach (var candidate in new[] { directory, Path.Combine(directory, archiveFolder) })
        {
            if (required.All(f => File.Exists(Path.Combine(candidate, f))))
            {
                return candidate;
            }
        }
        var missing = required.Where(f => !File.Exists(Path.Combine(directory, f)));
        throw new FileNotFoundException(
            $"{dataset} binary files not found in '{directory}' (nor in its '{archiveFolder}' subfolder): " +
            $"expected {string.Join(", ", required)}; missing {string.Join(", ", missing)}.");
    }

    private static string[]? ReadNames(string path, int classCount)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == classCount ? names : null;
    }
}
