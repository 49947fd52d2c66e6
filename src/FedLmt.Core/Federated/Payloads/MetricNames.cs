namespace FedLmt.Federated;

/// <summary>Names of the metrics clients report and strategies aggregate (numbers only, as in Flower's MetricRecord).</summary>
public static class MetricNames
{
    /// <summary>Mean cross-entropy over the samples a client trained on (without the factor penalty).</summary>
    public const string TrainLoss = "train_loss";

    /// <summary>Fraction of training samples classified right while training.</summary>
    public const string TrainAccuracy = "train_accuracy";

    /// <summary>Multiply-accumulates a client spent: forward MACs per sample x 3 (forward + backward) x samples processed.</summary>
    public const string Macs = "macs";

    /// <summary>Optimizer steps a client took.</summary>
    public const string Steps = "steps";

    /// <summary>Samples processed in local training (examples x epochs).</summary>
    public const string SamplesProcessed = "samples_processed";

    /// <summary>Mean cross-entropy on test data.</summary>
    public const string TestLoss = "test_loss";

    /// <summary>Fraction of test samples classified right.</summary>
    public const string TestAccuracy = "test_accuracy";

    /// <summary>Sum of the aggregation weights (examples) of the replies that arrived.</summary>
    public const string NumExamples = "num_examples";

    /// <summary>Replies that arrived.</summary>
    public const string Replies = "replies";

    /// <summary>Clients that failed.</summary>
    public const string Failures = "failures";
}
