using System.Diagnostics;
using FedLmt.Federated;
using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Cli.Bench;

/// <summary>Times <see cref="WeightedAverage"/>.Into on a realistic payload: N client updates of a full ResNet-18 (11.2M parameters).</summary>
public static class AggregationBenchmark
{
    /// <summary>
    /// The median milliseconds of <paramref name="repetitions"/> aggregations of <paramref name="clients"/> updates of
    /// the model <paramref name="spec"/> builds (default: CIFAR ResNet-18, full rank), after one warm-up.
    /// </summary>
    public static double Run(int clients = 10, ModelSpec? spec = null, int repetitions = 5) =>
        Measure(clients, spec, repetitions).MedianMs;

    /// <summary>Like <see cref="Run"/>, with the fastest and slowest repetition (the fastest is the least disturbed by other load).</summary>
    public static AggregationTiming Measure(int clients = 10, ModelSpec? spec = null, int repetitions = 5)
    {
        Check.Require(clients >= 1, "clients", clients, "an integer >= 1");
        Check.Require(repetitions >= 1, "repetitions", repetitions, "an integer >= 1");
        spec ??= new ModelSpec { Architecture = "resnet18" };
        using var model = ModelFactory.Create(spec, seed: 1);
        using var global = NamedTensors.Snapshot(model);
        using var original = global.Clone();
        var updates = new List<NamedTensors>();
        try
        {
            for (int c = 0; c < clients; c++)
            {
                var update = global.Clone();
                using (torch.no_grad())
                    foreach (var t in update.Values.Where(t => t.is_floating_point())) t.add_(0.01 * (c + 1));
                updates.Add(update);
            }
            var weighted = updates.Select((u, i) => ((IReadOnlyDictionary<string, Tensor>)u, (long)(100 + 10 * i))).ToList();
            WeightedAverage.Into(global, weighted); // warm-up: first touch of pages and code
            var times = new double[repetitions];
            for (int r = 0; r < repetitions; r++)
            {
                var watch = Stopwatch.StartNew();
                WeightedAverage.Into(global, weighted);
                times[r] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            // Every floating entry must now be the original plus the weighted mean of the shifts, sum w_c 0.01 (c + 1) / sum w_c.
            double shift = weighted.Select((w, c) => w.Item2 * 0.01 * (c + 1)).Sum() / weighted.Sum(w => w.Item2);
            double error = 0;
            using (torch.no_grad())
                foreach (var name in global.Names.Where(n => global[n].is_floating_point()))
                {
                    using var expected = original[name].to_type(ScalarType.Float64) + shift;
                    using var diff = (global[name].to_type(ScalarType.Float64) - expected).abs().max();
                    error = Math.Max(error, diff.item<double>());
                }
            return new AggregationTiming(clients, global.Elements, times[0], times[repetitions / 2], times[^1], error);
        }
        finally
        {
            foreach (var u in updates) u.Dispose();
        }
    }
}

/// <summary>
/// Milliseconds to aggregate <see cref="Clients"/> updates of <see cref="Elements"/> state elements each, and the largest
/// difference of the aggregate from the float64 weighted mean (the timed code must also be right).
/// </summary>
public sealed record AggregationTiming(int Clients, long Elements, double MinMs, double MedianMs, double MaxMs, double MaxError);
