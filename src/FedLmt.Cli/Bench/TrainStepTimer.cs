using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Cli.Bench;

/// <summary>Timing of repeated SGD training steps of one model on fixed batches.</summary>
public sealed record StepTiming(double MillisecondsPerStep, double SamplesPerSecond, double AllocatedBytesPerStep);

/// <summary>Times full training steps (forward, cross-entropy, backward, SGD with momentum) as the trainer runs them.</summary>
public static class TrainStepTimer
{
    /// <summary>Warms up, then times <paramref name="steps"/> steps on a random image batch; the median of three passes is reported.</summary>
    public static StepTiming Measure(nn.Module<Tensor, Tensor> model, long[] inputShape, int numClasses, int warmup, int steps)
    {
        using var data = torch.randn(inputShape, generator: new Generator(1));
        using var labels = torch.randint(numClasses, [inputShape[0]], generator: new Generator(2));
        return Measure(model, data, labels, warmup, steps);
    }

    /// <summary>
    /// Times steps of a language model on random token windows [batch, positions] (ids up to the mask token), with
    /// cross-entropy at every position, as bench/pytorch/train_step.py --vocabulary does.
    /// </summary>
    public static StepTiming MeasureTokens(nn.Module<Tensor, Tensor> model, int batch, int positions, int vocabulary, int warmup, int steps)
    {
        using var ids = torch.randint(vocabulary + 1, [batch, positions], generator: new Generator(1));
        using var targets = torch.randint(vocabulary, [batch, positions], generator: new Generator(2));
        return Measure(model, ids, targets, warmup, steps);
    }

    /// <summary>Warms up, then times steps on one fixed batch (targets: a class per sample, or per position); the median of three passes.</summary>
    public static StepTiming Measure(nn.Module<Tensor, Tensor> model, Tensor data, Tensor labels, int warmup, int steps)
    {
        model.train();
        using var optimizer = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9, weight_decay: 1e-4);
        for (int i = 0; i < warmup; i++) Step(model, optimizer, data, labels);

        var passes = new List<(double ms, double bytes)>();
        for (int pass = 0; pass < 3; pass++)
        {
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) Step(model, optimizer, data, labels);
            watch.Stop();
            passes.Add((watch.Elapsed.TotalMilliseconds / steps, (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)steps));
        }
        var median = passes.OrderBy(p => p.ms).ElementAt(1);
        return new StepTiming(median.ms, data.shape[0] * 1000.0 / median.ms, median.bytes);
    }

    static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor data, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var output = model.call(data);
        var loss = nn.functional.cross_entropy(output.reshape(-1, output.shape[^1]), labels.reshape(-1));
        loss.backward();
        optimizer.step();
    }
}
