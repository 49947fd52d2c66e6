using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FedLmt.Data;

/// <summary>How <see cref="ImageFolder"/> decodes images.</summary>
/// <param name="Size">Resize every image to Size x Size; null keeps the native size, which then must be the same for all images.</param>
/// <param name="Grayscale">Decode to one luminance channel instead of RGB.</param>
public sealed record ImageFolderOptions(int? Size = null, bool Grayscale = false);

/// <summary>
/// Reads images stored as files, one folder per class: root/train/&lt;class&gt;/**/*.png|jpg|... with root/test/&lt;class&gt;/
/// or root/val/&lt;class&gt;/, or the Tiny-ImageNet layout (train/&lt;wnid&gt;/images/*.JPEG, val/images/*.JPEG labelled by
/// val/val_annotations.txt). Classes are the train folder names in ordinal order (as torchvision's ImageFolder).
/// </summary>
public static class ImageFolder
{
    private static readonly HashSet<string> ImageExtensions =
        new([".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads the train and test splits under <paramref name="root"/>; normalization is measured on the train split.</summary>
    public static DatasetSplit Read(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new ImageFolderOptions();
        if (options.Size is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Size, "Image folder resize size must be positive.");
        }
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder root '{root}' does not exist.");
        }
        var trainDir = Path.Combine(root, "train");
        if (!Directory.Exists(trainDir))
        {
            throw new DirectoryNotFoundException(
                $"Image folder root '{root}' has no 'train' folder; expected train/<class>/... and test/<class>/... (or val/).");
        }
        var classes = Directory.GetDirectories(trainDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
        {
            throw new InvalidDataException($"'{trainDir}' has no class folders; expected one folder per class.");
        }
        var classIndex = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);

        var trainFiles = FilesByClassFolder(trainDir, classes, requireEveryClass: true);
        var testFiles = TestFiles(root, classes, classIndex);

        var (width, height) = options.Size is { } s ? (s, s) : Identify(trainFiles[0].Path);
        var channels = options.Grayscale ? 1 : 3;
        var rootName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
        var (trainPixels, trainLabels) = Decode(trainFiles, channels, height, width, options.Size is not null, trainFiles[0].Path);
        var (testPixels, testLabels) = Decode(testFiles, channels, height, width, options.Size is not null, trainFiles[0].Path);
        var normalization = Normalization.Estimate(trainPixels, channels, height, width);
        var train = new ImageDataset($"{rootName}/train", trainPixels, trainLabels, channels, height, width, classes.Length, normalization, classes);
        var test = new ImageDataset($"{rootName}/test", testPixels, testLabels, channels, height, width, classes.Length, normalization, classes);
        return new DatasetSplit(train, test, new Augmentation(Math.Max(1, Math.Min(height, width) / 8), horizontalFlip: true));
    }

    private static List<(string Path, int Label)> TestFiles(string root, string[] classes, Dictionary<string, int> classIndex)
    {
        var testDir = Path.Combine(root, "test");
        var valDir = Path.Combine(root, "val");
        var annotations = Path.Combine(valDir, "val_annotations.txt");
        // Tiny-ImageNet ships an unlabelled test/images folder; its labelled split is val/ with val_annotations.txt.
        if (File.Exists(annotations))
        {
            return TinyImageNetValidation(valDir, annotations, classIndex);
        }
        if (Directory.Exists(testDir) && Directory.GetDirectories(testDir).Length > 0)
        {
            return FilesByClassFolder(testDir, classes, requireEveryClass: false, classIndex);
        }
        if (Directory.Exists(valDir) && Directory.GetDirectories(valDir).Length > 0)
        {
            return FilesByClassFolder(valDir, classes, requireEveryClass: false, classIndex);
        }
        throw new DirectoryNotFoundException(
            $"Image folder root '{root}' has no labelled test split; expected test/<class>/..., val/<class>/... or val/val_annotations.txt.");
    }

    private static List<(string Path, int Label)> FilesByClassFolder(
        string splitDir, string[] classes, bool requireEveryClass, Dictionary<string, int>? classIndex = null)
    {
        var result = new List<(string, int)>();
        var folders = classIndex is null
            ? classes.Select((c, i) => (Name: c, Label: i))
            : Directory.GetDirectories(splitDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
                .Select(name => classIndex.TryGetValue(name, out var label)
                    ? (Name: name, Label: label)
                    : throw new InvalidDataException(
                        $"'{Path.Combine(splitDir, name)}' is a class folder that the train split lacks; expected one of the {classes.Length} train classes."));
        foreach (var (name, label) in folders)
        {
            var files = ImagesUnder(Path.Combine(splitDir, name));
            if (files.Count == 0 && requireEveryClass)
            {
                throw new InvalidDataException($"Class folder '{Path.Combine(splitDir, name)}' holds no images ({string.Join(", ", ImageExtensions)}).");
            }
            result.AddRange(files.Select(f => (f, label)));
        }
        return result;
    }

    private static List<(string Path, int Label)> TinyImageNetValidation(string valDir, string annotations, Dictionary<string, int> classIndex)
    {
        var result = new List<(string, int)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(annotations))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split('\t');
            if (fields.Length < 2)
            {
                throw new InvalidDataException($"'{annotations}' line {lineNumber}: '{line}'; expected <file>\\t<wnid>[\\t<box>].");
            }
            if (!classIndex.TryGetValue(fields[1], out var label))
            {
                throw new InvalidDataException(
                    $"'{annotations}' line {lineNumber}: class '{fields[1]}' has no folder under train/; expected one of the {classIndex.Count} train classes.");
            }
            var path = Path.Combine(valDir, "images", fields[0]);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"'{annotations}' line {lineNumber} names '{path}', which does not exist.", path);
            }
            result.Add((path, label));
        }
        return [.. result.OrderBy(r => r.Item1, StringComparer.Ordinal)];
    }

    private static List<string> ImagesUnder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)];

    private static (int Width, int Height) Identify(string path)
    {
        try
        {
            var info = Image.Identify(path) ?? throw new InvalidDataException($"'{path}' is not an image format ImageSharp can read.");
            return (info.Width, info.Height);
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException)
        {
            throw new InvalidDataException($"'{path}' cannot be decoded as an image: {ex.Message}", ex);
        }
    }

    private static (byte[] Pixels, int[] Labels) Decode(
        List<(string Path, int Label)> files, int channels, int height, int width, bool resize, string firstFile)
    {
        var plane = height * width;
        var pixels = new byte[(long)files.Count * channels * plane];
        var labels = files.Select(f => f.Label).ToArray();
        try
        {
            // Each file writes its own slot, so the result does not depend on scheduling.
            Parallel.For(0, files.Count, i =>
            {
                var destination = pixels.AsSpan(i * channels * plane, channels * plane);
                DecodeOne(files[i].Path, destination, channels, height, width, resize, firstFile);
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            var first = ex.InnerExceptions.OrderBy(e => e.Message, StringComparer.Ordinal).First();
            throw first is InvalidDataException ? new InvalidDataException(first.Message, first) : first;
        }
        return (pixels, labels);
    }

    private static void DecodeOne(string path, Span<byte> destination, int channels, int height, int width, bool resize, string firstFile)
    {
        try
        {
            if (channels == 1)
            {
                using var image = Image.Load<L8>(path);
                Fit(image, path, height, width, resize, firstFile);
                var data = new L8[height * width];
                image.CopyPixelDataTo(data);
                for (var i = 0; i < data.Length; i++)
                {
                    destination[i] = data[i].PackedValue;
                }
            }
            else
            {
                using var image = Image.Load<Rgb24>(path);
                Fit(image, path, height, width, resize, firstFile);
                var plane = height * width;
                var data = new Rgb24[plane];
                image.CopyPixelDataTo(data);
                for (var i = 0; i < plane; i++)
                {
                    destination[i] = data[i].R;
                    destination[plane + i] = data[i].G;
                    destination[2 * plane + i] = data[i].B;
                }
            }
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException)
        {
            throw new InvalidDataException($"'{path}' cannot be decoded as an image: {ex.Message}", ex);
        }
    }

    private static void Fit<TPixel>(Image<TPixel> image, string path, int height, int width, bool resize, string firstFile)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width == width && image.Height == height)
        {
            return;
        }
        if (!resize)
        {
            throw new InvalidDataException(
                $"'{path}' is {image.Width}x{image.Height} pixels; expected {width}x{height} like '{firstFile}'. " +
                "Images of different sizes need a resize size (imagefolder option size=N).");
        }
        image.Mutate(op => op.Resize(width, height));
    }
}
