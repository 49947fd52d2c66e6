namespace FedLmt.Data;

/// <summary>
/// A dataset's train and test sets of one kind (images, or token windows of a text corpus), with the training
/// augmentation the reference protocol uses for images (none for text).
/// </summary>
public sealed record DatasetSplit
{
    /// <summary>Pairs a train and a test set of the same kind, shape and labelling.</summary>
    public DatasetSplit(Dataset train, Dataset test, Augmentation trainAugmentation)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(trainAugmentation);
        if (train.MismatchWith(test) is string mismatch)
        {
            throw new ArgumentException(mismatch);
        }
        Train = train;
        Test = test;
        TrainAugmentation = trainAugmentation;
    }

    /// <summary>The training samples.</summary>
    public Dataset Train { get; }

    /// <summary>The held-out test samples.</summary>
    public Dataset Test { get; }

    /// <summary>The augmentation the reference applies to training batches of this dataset (images only).</summary>
    public Augmentation TrainAugmentation { get; }

    /// <summary>Number of labels (same in train and test): classes of an image set, sources of a text corpus.</summary>
    public int ClassCount => Train.ClassCount;

    /// <summary>The train images; refuses a text corpus, naming it (for image-only tools).</summary>
    public ImageDataset TrainImages => Train as ImageDataset
        ?? throw new ArgumentException($"Dataset '{Train.Name}' is a text corpus; this needs an image dataset.");

    /// <summary>The test images; refuses a text corpus, naming it.</summary>
    public ImageDataset TestImages => Test as ImageDataset
        ?? throw new ArgumentException($"Dataset '{Test.Name}' is a text corpus; this needs an image dataset.");
}
