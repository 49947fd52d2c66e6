namespace FedLmt.Data;

/// <summary>Loads an MNIST-style folder: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz).</summary>
public static class IdxDirectory
{
    /// <summary>Loads the four IDX files in <paramref name="directory"/>; <paramref name="hint"/> tells the user how to get them when missing.</summary>
    public static DatasetSplit Load(
        string directory, string name, int classCount, Normalization normalization, IReadOnlyList<string>? classNames = null, string? hint = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var paths = FashionMnist.FileNames.Select(f => FashionMnist.FindFile(directory, f)).ToArray();
        if (paths.Any(p => p is null))
        {
            var missing = FashionMnist.FileNames.Where((_, i) => paths[i] is null).Select(f => $"{f[..^3]}[.gz]");
            throw new FileNotFoundException(
                $"{name}: IDX files not found in '{directory}': missing {string.Join(", ", missing)}" + (hint is null ? "." : $"; {hint}."));
        }
        var train = IdxFile.ReadDataset(paths[0]!, paths[1]!, $"{name}/train", classCount, normalization, classNames);
        var test = IdxFile.ReadDataset(paths[2]!, paths[3]!, $"{name}/test", classCount, normalization, classNames);
        return new DatasetSplit(train, test, Augmentation.None);
    }
}
