using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>Test loss and accuracy of a model over batches: <see cref="Count"/> examples (for a language model, each with many predictions).</summary>
public sealed record EvaluationResult(long Count, double Loss, double Accuracy);

/// <summary>Evaluates a model on a stream of batches as its task scores them, in inference mode (no autograd bookkeeping) and eval mode.</summary>
public static class ModelEvaluator
{
    /// <summary>
    /// Mean loss and accuracy per prediction over every example of <paramref name="batches"/>, which it disposes (the
    /// <see cref="IClientData"/> contract), scored by <paramref name="task"/> (default <see cref="Classification"/>).
    /// An empty stream gives count 0 and NaN loss and accuracy.
    /// </summary>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor X, Tensor Y)> batches, ITask? task = null)
    {
        task ??= Classification.Instance;
        bool wasTraining = model.training;
        model.eval();
        var score = default(BatchScore);
        long count = 0;
        try
        {
            foreach (var (x, y) in batches)
            {
                using var scope = torch.NewDisposeScope();
                scope.Attach(x);
                scope.Attach(y);
                using var inference = torch.inference_mode(); // no autograd records and no version counters
                score += task.Score(model.call(x), y);
                count += y.shape[0];
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return new EvaluationResult(count, score.MeanLoss, score.Accuracy);
    }
}
