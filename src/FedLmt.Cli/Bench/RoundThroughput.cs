using System.Diagnostics;
using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Models;
using FedLmt.Runs;

namespace FedLmt.Cli.Bench;

/// <summary>
/// Milliseconds per trained sample of whole federated rounds through the engine: every client trained by
/// <see cref="ClientTrainer"/> on its own Fashion-MNIST samples (a fresh model from the global state, one local epoch
/// of shuffled batches, owned copies back), then the sample-weighted average - what a FedLMT round costs beyond the
/// bare training step, and what bench/pytorch/train_step.py --round-sizes times for the authors' client loop.
/// </summary>
public static class RoundThroughput
{
    /// <summary>Ten client sizes of an fmnist-bench round (7,161 samples, Dirichlet 0.5 over 100 clients).</summary>
    public static readonly int[] ClientSizes = [537, 712, 1033, 400, 811, 95, 1500, 620, 700, 753];

    /// <summary>Runs <paramref name="rounds"/> rounds and returns each round's ms per trained sample.</summary>
    public static IReadOnlyList<double> Measure(ModelSpec spec, int batchSize, int rounds)
    {
        var data = DatasetResolver.Resolve(FashionMnist.IsInstalled() ? "fmnist" : "fmnist-embedded");
        var order = Enumerable.Range(0, data.Train.Count).ToArray();
        new Random(1).Shuffle(order);
        int start = 0;
        var clients = ClientSizes.Select(n => new PartitionedClientData(data, order[start..(start += n)], [], text: null)).ToList();
        var local = new LocalTrainingConfig { BatchSize = batchSize, WeightDecay = 1e-4 };
        var trainer = new ClientTrainer();
        using var initial = ModelFactory.Create(spec, seed: 1);
        var global = NamedTensors.Snapshot(initial);
        var perSample = new List<double>();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                var replies = new List<TrainReply>();
                try
                {
                    for (int c = 0; c < clients.Count; c++)
                    {
                        using var instruction = new TrainInstruction(round, c, spec, global.View(), 0.05, local, TrainPhase.AllAtOnce, 1);
                        replies.Add(trainer.Train(instruction, clients[c]));
                    }
                    WeightedAverage.Into(global, replies);
                }
                finally
                {
                    foreach (var r in replies) r.Dispose();
                }
                perSample.Add(watch.Elapsed.TotalMilliseconds / ClientSizes.Sum());
            }
        }
        finally
        {
            global.Dispose();
        }
        return perSample;
    }
}
