using System.Globalization;

namespace FedLmt.Data;

/// <summary>
/// Turns a dataset spec string into a loaded <see cref="DatasetSplit"/>: "name" or "name:PATH", e.g.
/// "fmnist-embedded", "fmnist", "fmnist:/data/fmnist", "cifar10:/data/cifar-10-batches-bin", "imagefolder:/data/tiny".
/// </summary>
public static class DatasetResolver
{
    /// <summary>The spec used when none is given.</summary>
    public const string DefaultSpec = "fmnist-embedded";

    /// <summary>Every accepted form with what it loads, for help texts and error messages.</summary>
    public static IReadOnlyList<(string Form, string Description)> Forms { get; } =
    [
        ("fmnist-embedded", "Fashion-MNIST subset embedded in the library, 1200 train + 200 test per class (default)"),
        ("fmnist[:PATH]", $"full Fashion-MNIST IDX files (default folder {FashionMnist.DefaultDirectory})"),
        ("mnist:PATH", "MNIST IDX files (train-images-idx3-ubyte[.gz], ...)"),
        ("cifar10:PATH", "CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin)"),
        ("cifar100:PATH", "CIFAR-100 binary version (train.bin, test.bin), 100 fine labels"),
        ("cifar100-coarse:PATH", "CIFAR-100 binary version with the 20 coarse labels"),
        ("svhn:PATH", "SVHN cropped digits as distributed (train_32x32.mat, test_32x32.mat)"),
        ("imagefolder:PATH[?size=N][&gray]", "train/<class>/ + test|val/<class>/ image files, or the Tiny-ImageNet layout"),
    ];

    /// <summary>Loads the dataset named by <paramref name="spec"/> (null or empty: <see cref="DefaultSpec"/>).</summary>
    public static DatasetSplit Resolve(string? spec)
    {
        var (name, path) = Parse(spec);
        return name switch
        {
            "fmnist-embedded" when path is null => FashionMnist.LoadEmbeddedSubset(),
            "fmnist" => FashionMnist.LoadFull(path),
            "mnist" => IdxDirectory.Load(Require(name, path), "mnist", 10, Normalization.Mnist),
            "cifar10" => CifarBinary.ReadCifar10(Require(name, path)),
            "cifar100" => CifarBinary.ReadCifar100(Require(name, path)),
            "cifar100-coarse" => CifarBinary.ReadCifar100(Require(name, path), coarseLabels: true),
            "svhn" => Svhn.Read(Require(name, path)),
            "imagefolder" => ReadImageFolder(Require(name, path)),
            "fmnist-embedded" => throw new ArgumentException(
                $"Dataset spec '{spec}': fmnist-embedded takes no path; use fmnist:PATH for Fashion-MNIST files on disk."),
            _ => throw new ArgumentException(
                $"Unknown dataset '{name}' in spec '{spec}'; expected one of: {string.Join("; ", Forms.Select(f => f.Form))}."),
        };
    }

    /// <summary>
    /// Refuses a spec <see cref="Resolve"/> would refuse for its form - an unknown name, a missing or superfluous path,
    /// and with <paramref name="requireFolder"/> a folder that does not exist - without reading any data (a run checks
    /// its config before it starts).
    /// </summary>
    public static void CheckSpec(string? spec, bool requireFolder = true)
    {
        var (name, path) = Parse(spec);
        bool needsPath = name is "mnist" or "cifar10" or "cifar100" or "cifar100-coarse" or "svhn" or "imagefolder";
        if (name is not ("fmnist-embedded" or "fmnist") && !needsPath)
            throw new ArgumentException($"Unknown dataset '{name}' in spec '{spec}'; expected one of: {string.Join("; ", Forms.Select(f => f.Form))}.");
        if (name == "fmnist-embedded" && path is not null)
            throw new ArgumentException($"Dataset spec '{spec}': fmnist-embedded takes no path; use fmnist:PATH for Fashion-MNIST files on disk.");
        string? folder = name == "fmnist" ? path ?? FashionMnist.DefaultDirectory : needsPath ? Require(name, path) : null;
        if (folder is not null && requireFolder)
        {
            int query = folder.IndexOf('?', StringComparison.Ordinal);
            if (name == "imagefolder" && query >= 0) folder = folder[..query];
            if (!Directory.Exists(folder))
                throw new ArgumentException($"Dataset spec '{spec}': folder {folder} does not exist" +
                    (name == "fmnist" && path is null ? " (Debian: apt-get install dataset-fashion-mnist; or give fmnist:PATH)." : "."));
        }
    }

    /// <summary>Splits "name:PATH" into a lower-case name and an optional path.</summary>
    public static (string Name, string? Path) Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return (DefaultSpec, null);
        }
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (spec.Trim().ToLowerInvariant(), null);
        }
        var path = spec[(colon + 1)..].Trim();
        return (spec[..colon].Trim().ToLowerInvariant(), path.Length == 0 ? null : path);
    }

    private static string Require(string name, string? path) =>
        path ?? throw new ArgumentException($"Dataset '{name}' needs a folder: write it as {name}:PATH.");

    private static DatasetSplit ReadImageFolder(string pathAndOptions)
    {
        var question = pathAndOptions.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return ImageFolder.Read(pathAndOptions);
        }
        int? size = null;
        var gray = false;
        foreach (var option in pathAndOptions[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (option.StartsWith("size=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(option.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                size = n;
            }
            else if (option.Equals("gray", StringComparison.OrdinalIgnoreCase))
            {
                gray = true;
            }
            else
            {
                throw new ArgumentException($"Image folder option '{option}' in '{pathAndOptions}'; expected size=N (N > 0) or gray.");
            }
        }
        return ImageFolder.Read(pathAndOptions[..question], new ImageFolderOptions(size, gray));
    }
}
