using System.Diagnostics;
using FedLmt.Runs;
using TorchSharp;

namespace FedLmt.Cli.Bench;

/// <summary>Live tensors and process RSS at two rounds of a long simulated run: they should stay flat.</summary>
public sealed record MemoryFlatness(int EarlyRound, long EarlyTensors, long EarlyRssBytes, int LateRound, long LateTensors, long LateRssBytes)
{
    /// <summary>
    /// Runs <paramref name="config"/> to <paramref name="lateRound"/> rounds in a temporary folder (sequential clients, so
    /// every tensor lives on this thread) and samples after <paramref name="earlyRound"/> and <paramref name="lateRound"/>.
    /// </summary>
    public static MemoryFlatness Measure(RunConfig config, int earlyRound, int lateRound)
    {
        config.Federated.Rounds = lateRound;
        config.Simulation.Workers = 1;
        string dir = Directory.CreateTempSubdirectory("fedlmt-memory-").FullName;
        var samples = new Dictionary<int, (long Tensors, long Rss)>();
        try
        {
            new SimulationRunner(config, dir).Run(progress: new Sampler(r =>
            {
                if (r.Round != earlyRound && r.Round != lateRound) return;
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                samples[r.Round] = (DisposeScopeManager.Statistics.ThreadTotalLiveCount, Process.GetCurrentProcess().WorkingSet64);
            }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return new MemoryFlatness(earlyRound, samples[earlyRound].Tensors, samples[earlyRound].Rss, lateRound, samples[lateRound].Tensors, samples[lateRound].Rss);
    }

    sealed class Sampler(Action<RoundRecord> f) : IProgress<RoundRecord>
    {
        public void Report(RoundRecord value) => f(value);
    }
}
