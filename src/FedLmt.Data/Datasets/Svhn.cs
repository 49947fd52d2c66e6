namespace FedLmt.Data;

/// <summary>
/// SVHN's cropped digits as distributed (train_32x32.mat, test_32x32.mat): MATLAB level-5 files holding <c>X</c>, uint8
/// 32 x 32 x 3 x N in MATLAB's column-major order, and <c>y</c>, N x 1 labels 1..10 where 10 means the digit 0. The
/// extra_32x32.mat set is not used (the authors train on the 73,257 train images). Images are normalized by the train
/// set's own per-channel mean and std; training augmentation is the reference's random crop with padding 2 (no flip:
/// these are digits).
/// </summary>
public static class Svhn
{
    public const string TrainFile = "train_32x32.mat";
    public const string TestFile = "test_32x32.mat";

    /// <summary>The reference's SVHN augmentation: random crop of 32 with padding 2, no flip.</summary>
    public static Augmentation Augmentation { get; } = new(2, horizontalFlip: false);

    static readonly IReadOnlyList<string> ClassNames = Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>Both splits from a folder holding train_32x32.mat and test_32x32.mat.</summary>
    public static DatasetSplit Read(string directory)
    {
        var missing = new[] { TrainFile, TestFile }.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"SVHN files not found in '{directory}': expected {TrainFile} and {TestFile} (the cropped-digits format); missing {string.Join(", ", missing)}.");
        var (trainPixels, trainLabels) = ReadSplit(Path.Combine(directory, TrainFile));
        var (testPixels, testLabels) = ReadSplit(Path.Combine(directory, TestFile));
        var normalization = Normalization.Estimate(trainPixels, 3, 32, 32);
        return new DatasetSplit(
            new ImageDataset("svhn/train", trainPixels, trainLabels, 3, 32, 32, 10, normalization, ClassNames),
            new ImageDataset("svhn/test", testPixels, testLabels, 3, 32, 32, 10, normalization, ClassNames),
            Augmentation);
    }

    /// <summary>One split's pixels as N x 3 x 32 x 32 bytes and its labels 0..9.</summary>
    public static (byte[] Pixels, int[] Labels) ReadSplit(string path)
    {
        var arrays = MatFile.Read(path, "X", "y");
        var x = arrays["X"];
        var y = arrays["y"];
        if (x.Bytes is null || x.Dimensions.Length != 4 || x.Dimensions[0] != 32 || x.Dimensions[1] != 32 || x.Dimensions[2] != 3)
            throw new InvalidDataException($"{path}: X is {x.Class} ({string.Join(" x ", x.Dimensions)}); SVHN's is uint8 32 x 32 x 3 x N");
        int n = x.Dimensions[3];
        if (y.Values is null || y.Count != n || y.Dimensions.Count(d => d != 1) > 1)
            throw new InvalidDataException($"{path}: y is {y.Class} ({string.Join(" x ", y.Dimensions)}); expected {n} labels, one per image of X");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double v = y.Values[i];
            if (v != Math.Floor(v) || v < 1 || v > 10)
                throw new InvalidDataException($"{path}: label {v} of image {i}; SVHN labels are 1..10 (10 is the digit 0)");
            labels[i] = (int)v % 10;
        }
        // X(row, column, channel, image) sits at row + 32 column + 1024 channel + 3072 image: each 32 x 32 plane is
        // stored column by column, and becomes row by row here (C x H x W per image).
        var source = x.Bytes;
        var pixels = new byte[source.Length];
        for (int image = 0; image < n; image++)
            for (int channel = 0; channel < 3; channel++)
            {
                int plane = image * 3072 + channel * 1024;
                for (int column = 0; column < 32; column++)
                    for (int row = 0; row < 32; row++)
                        pixels[plane + row * 32 + column] = source[plane + column * 32 + row];
            }
        return (pixels, labels);
    }
}
