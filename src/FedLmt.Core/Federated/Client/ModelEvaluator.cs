using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Federated;

/// <summary>Test loss and accuracy of a model over batches.</summary>
public sealed record EvaluationResult(long Count, double Loss, double Accuracy);

/// <summary>Evaluates a classifier on a stream of batches, in inference mode (no autograd bookkeeping) and eval mode.</summary>
public static class ModelEvaluator
{
    /// <summary>
    /// Mean cross-entropy and accuracy over every sample of <paramref name="batches"/>, which it disposes (the
    /// <see cref="IClientData"/> contract). An empty stream gives count 0 and NaN loss and accuracy.
    /// </summary>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor X, Tensor Y)> batches)
    {
        bool wasTraining = model.training;
        model.eval();
        double lossSum = 0;
        long correct = 0, count = 0;
        try
        {
            foreach (var (x, y) in batches)
            {
                using var scope = torch.NewDisposeScope();
                scope.Attach(x);
                scope.Attach(y);
                using var inference = torch.inference_mode(); // no autograd records and no version counters
                var logits = model.call(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
                count += y.shape[0];
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return count == 0 ? new EvaluationResult(0, double.NaN, double.NaN) : new EvaluationResult(count, lossSum / count, (double)correct / count);
    }
}
