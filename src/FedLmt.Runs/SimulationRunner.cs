using FedLmt.Federated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace FedLmt.Runs;

/// <summary>
/// Runs a simulated federation in this process: data, partition, tiers, strategy, the in-process grid, and the round
/// loop with evaluation, results, checkpoints and resume. Output goes to one folder: config.yaml, results.jsonl/csv,
/// summary.json, PNG plots, tb/ (TensorBoard) and checkpoint.bin.
/// </summary>
public sealed class SimulationRunner
{
    readonly RunConfig _config;
    readonly string _dir;
    readonly ILogger _logger;

    public SimulationRunner(RunConfig config, string outputDirectory, ILogger? logger = null)
    {
        _config = config.Validate();
        _dir = outputDirectory;
        _logger = logger ?? NullLogger.Instance;
    }

    public string CheckpointPath => RunFolder.CheckpointPathIn(_dir);

    /// <summary>
    /// Runs to the configured number of rounds. With <paramref name="resume"/>, continues from the checkpoint in the
    /// output folder (it must exist and the config must match). Cancellation ends the run after the current round,
    /// with a checkpoint and all outputs written.
    /// </summary>
    public RunSummary Run(bool resume = false, IProgress<RoundRecord>? progress = null, CancellationToken cancellation = default)
    {
        RunFolder.Prepare(_dir, _config, resume ? ResumeMode.Required : ResumeMode.Never);
        var setup = RunSetup.Create(_config, _logger);
        // The worker count never changes results; the intra-op thread count can, in the last bits of float sums, so
        // it changes only when asked for (with several workers, threads x workers <= cores avoids oversubscription).
        if (_config.Simulation.Threads > 0) torch.set_num_threads(_config.Simulation.Threads);
        if (resume) _logger.LogInformation("Resuming {Name} after round {Round}", _config.Name, RunFolder.Restore(_dir, setup.Strategy));
        var grid = new InProcessGrid(id => setup.Clients[id], new ClientTrainer(setup.Task), _config.Simulation.Workers);
        var transport = new InProcessTransport(grid, setup.Population.Clients);
        return new RunLoop(setup, transport, _dir, _logger).Run(progress, cancellation);
    }
}
