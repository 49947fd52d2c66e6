namespace FedLmt.Data;

/// <summary>
/// A labelled set of samples held in memory, as partitioning sees it: a label per sample (an image's class; a text
/// window's source, such as its president or chapter) and a way to copy a selection. <see cref="ImageDataset"/> and
/// <see cref="TokenSequences"/> are the two kinds; loaders turn each into batches.
/// </summary>
public abstract class Dataset
{
    protected Dataset(string name, int[] labels, int classCount, IReadOnlyList<string>? classNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(labels);
        if (classCount <= 0)
        {
            throw new ArgumentException($"Dataset '{name}': class count {classCount}; expected at least 1.");
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException(
                    $"Dataset '{name}': label {labels[i]} at index {i} is out of range; expected 0..{classCount - 1}.");
            }
        }
        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"Dataset '{name}': {classNames.Count} class names; expected {classCount}.");
        }
        Name = name;
        Labels = labels;
        ClassCount = classCount;
        ClassNames = classNames is null
            ? [.. Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : [.. classNames];
    }

    /// <summary>A short human-readable name, e.g. "fmnist-embedded/train".</summary>
    public string Name { get; }

    /// <summary>One label per sample, in [0, <see cref="ClassCount"/>): what label-aware partitions split by. Must not be modified.</summary>
    public int[] Labels { get; }

    /// <summary>Number of labels (labels range over 0..ClassCount-1).</summary>
    public int ClassCount { get; }

    /// <summary>Label names, one per label index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>How many samples each label has.</summary>
    public int[] ClassHistogram()
    {
        var histogram = new int[ClassCount];
        foreach (var label in Labels)
        {
            histogram[label]++;
        }
        return histogram;
    }

    /// <summary>A new dataset holding copies of the given samples, in the given order.</summary>
    public abstract Dataset Select(IReadOnlyList<int> indices, string? name = null);

    /// <summary>Why <paramref name="test"/> cannot be this set's test set (another shape or labelling), or null when it can.</summary>
    public abstract string? MismatchWith(Dataset test);
}
