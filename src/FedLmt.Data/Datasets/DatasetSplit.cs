namespace FedLmt.Data;

/// <summary>A dataset's train and test sets, with the training augmentation the reference protocol uses for it.</summary>
public sealed record DatasetSplit
{
    /// <summary>Pairs a train and a test set of the same image shape and classes.</summary>
    public DatasetSplit(ImageDataset train, ImageDataset test, Augmentation trainAugmentation)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(trainAugmentation);
        if (train.Channels != test.Channels || train.Height != test.Height || train.Width != test.Width)
        {
            throw new ArgumentException(
                $"Train set '{train.Name}' has images {train.Channels}x{train.Height}x{train.Width} but test set " +
                $"'{test.Name}' has {test.Channels}x{test.Height}x{test.Width}; both must have the same shape.");
        }
        if (train.ClassCount != test.ClassCount)
        {
            throw new ArgumentException(
                $"Train set '{train.Name}' has {train.ClassCount} classes but test set '{test.Name}' has {test.ClassCount}.");
        }
        Train = train;
        Test = test;
        TrainAugmentation = trainAugmentation;
    }

    /// <summary>The training images.</summary>
    public ImageDataset Train { get; }

    /// <summary>The held-out test images.</summary>
    public ImageDataset Test { get; }

    /// <summary>The augmentation the reference applies to training batches of this dataset.</summary>
    public Augmentation TrainAugmentation { get; }

    /// <summary>Number of classes (same in train and test).</summary>
    public int ClassCount => Train.ClassCount;
}
