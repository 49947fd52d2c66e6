using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>
/// What learning means for a run's model: how its output is scored against a batch's targets - the training loss, and
/// the sums its metrics are averaged from. The trainer, the evaluator and the server's global evaluation ask the task,
/// never assume images: image classification is one task, a language model's per-token prediction another.
/// </summary>
public interface ITask
{
    /// <summary>The task's name (for logs and run summaries).</summary>
    string Name { get; }

    /// <summary>Whether the loss is the headline metric, reported as perplexity exp(mean loss) (a language model), rather than accuracy.</summary>
    bool ReportsPerplexity { get; }

    /// <summary>The batch's mean loss over its predictions, with autograd: the local training objective before any penalty.</summary>
    Tensor Loss(Tensor output, Tensor target);

    /// <summary>The batch's summed loss and hits and its number of predictions, without autograd (for metrics).</summary>
    BatchScore Score(Tensor output, Tensor target);

    /// <summary>
    /// The score of a training batch whose mean loss <paramref name="meanLoss"/> was just computed: its hits, and the loss
    /// as mean x predictions (no second pass over the output).
    /// </summary>
    BatchScore Tally(Tensor meanLoss, Tensor output, Tensor target);
}

/// <summary>A batch's summed loss, correct predictions and number of predictions: metrics are these sums over their count.</summary>
public readonly record struct BatchScore(double LossSum, long Hits, long Predictions)
{
    public static BatchScore operator +(BatchScore a, BatchScore b) => new(a.LossSum + b.LossSum, a.Hits + b.Hits, a.Predictions + b.Predictions);

    /// <summary>Mean loss per prediction (NaN for none).</summary>
    public double MeanLoss => Predictions == 0 ? double.NaN : LossSum / Predictions;

    /// <summary>Share of correct predictions (NaN for none).</summary>
    public double Accuracy => Predictions == 0 ? double.NaN : (double)Hits / Predictions;
}

/// <summary>
/// One class per prediction: the output holds logits over the classes in its last dimension, the target one class index
/// per prediction (output [B, C] with target [B] for image classification; [B, T, V] with [B, T] for a language model
/// predicting a token at every position). Loss is cross-entropy, a hit the argmax matching the target.
/// </summary>
public sealed class Classification : ITask
{
    public static Classification Instance { get; } = new();

    public string Name => "classification";

    public bool ReportsPerplexity => false;

    public Tensor Loss(Tensor output, Tensor target) => nn.functional.cross_entropy(Flatten(output), target.reshape(-1));

    public BatchScore Score(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = Flatten(output);
        var classes = target.reshape(-1);
        double loss = nn.functional.cross_entropy(logits, classes, reduction: nn.Reduction.Sum).item<float>();
        long hits = logits.argmax(1).eq(classes).sum().item<long>();
        return new BatchScore(loss, hits, classes.shape[0]);
    }

    public BatchScore Tally(Tensor meanLoss, Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var classes = target.reshape(-1);
        long hits = Flatten(output).argmax(1).eq(classes).sum().item<long>();
        return new BatchScore((double)meanLoss.item<float>() * classes.shape[0], hits, classes.shape[0]);
    }

    /// <summary>Every prediction a row: [..., C] -> [N, C] (a view; [B, C] stays as it is).</summary>
    static Tensor Flatten(Tensor output)
    {
        if (output.dim() < 2) throw new ArgumentException($"the output has shape ({string.Join(", ", output.shape)}); logits need a class dimension last");
        return output.dim() == 2 ? output : output.reshape(-1, output.shape[^1]);
    }
}

/// <summary>
/// A language model's task: at every position, a class over the vocabulary (scored as <see cref="Classification"/>:
/// mean cross-entropy per token, accuracy of the argmax), reported as perplexity. The objective - which token a position
/// predicts, and how the input is corrupted - is the data loader's part; <see cref="Name"/> says which it is.
/// </summary>
public sealed class TokenPrediction(string objective) : ITask
{
    public string Name { get; } = objective;

    public bool ReportsPerplexity => true;

    public Tensor Loss(Tensor output, Tensor target) => Classification.Instance.Loss(output, target);

    public BatchScore Score(Tensor output, Tensor target) => Classification.Instance.Score(output, target);

    public BatchScore Tally(Tensor meanLoss, Tensor output, Tensor target) => Classification.Instance.Tally(meanLoss, output, target);
}
