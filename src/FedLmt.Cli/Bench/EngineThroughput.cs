using System.Diagnostics;
using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Models;
using FedLmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Cli.Bench;

/// <summary>Samples per second of the engine's local training against a bare TorchSharp loop over the same batches.</summary>
public sealed record EngineThroughput(string Model, int Samples, double BareSamplesPerSecond, double EngineSamplesPerSecond)
{
    public double Ratio => EngineSamplesPerSecond / BareSamplesPerSecond;

    /// <summary>
    /// One client with <paramref name="samples"/> embedded Fashion-MNIST images; the bare loop is what a user would
    /// write by hand (SGD with momentum and weight decay, cross-entropy, same seeded batches); the engine pays model
    /// construction, parameter loading, metrics and the final snapshot on top. Median of <paramref name="repetitions"/>.
    /// </summary>
    public static EngineThroughput Measure(ModelSpec spec, int samples, int batchSize, int repetitions)
    {
        var data = DatasetResolver.Resolve("fmnist-embedded");
        var indices = Enumerable.Range(0, samples).ToArray();
        var client = new PartitionedClientData(data, indices, [], text: null);
        using var initial = ModelFactory.Create(spec, seed: 1);
        using var parameters = NamedTensors.Snapshot(initial);
        var local = new LocalTrainingConfig { BatchSize = batchSize, WeightDecay = 1e-4 };
        var trainer = new ClientTrainer();

        double Bare()
        {
            var watch = Stopwatch.StartNew();
            using var model = ModelFactory.Load(spec, parameters);
            model.train();
            using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: local.Momentum, weight_decay: local.WeightDecay);
            foreach (var (x, y) in client.TrainBatches(batchSize, ClientTrainer.ShuffleSeed(1, 0, 0, 0)))
            {
                using var scope = torch.NewDisposeScope();
                scope.Attach(x);
                scope.Attach(y);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(x), y).backward();
                optimizer.step();
            }
            return samples / watch.Elapsed.TotalSeconds;
        }

        double Engine()
        {
            var watch = Stopwatch.StartNew();
            using var instruction = new TrainInstruction(0, 0, spec, parameters.View(), 0.05, local, TrainPhase.AllAtOnce, 1);
            using var reply = trainer.Train(instruction, client);
            return samples / watch.Elapsed.TotalSeconds;
        }

        Bare();
        Engine(); // warm-up: JIT and libtorch kernels
        var bare = new List<double>();
        var engine = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            bare.Add(Bare());
            engine.Add(Engine());
        }
        return new EngineThroughput(spec.ToString(), samples, Median(bare), Median(engine));
    }

    static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
}
