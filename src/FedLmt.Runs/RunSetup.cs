using FedLmt.Data;
using FedLmt.Federated;
using FedLmt.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Runs;

/// <summary>
/// Everything a run builds from its config, the same for a simulation and a deployed server: the data and its
/// partition, the clients' data, the tiers, the model family, the strategy options and the strategy.
/// </summary>
public sealed class RunSetup
{
    RunSetup(RunConfig config, DatasetSplit data, FederatedPartition partition, IReadOnlyList<PartitionedClientData> clients,
        ClientPopulation population, ModelSpec spec, StrategyOptions options, IStrategy strategy)
    {
        Config = config;
        Data = data;
        Partition = partition;
        Clients = clients;
        Population = population;
        Spec = spec;
        Options = options;
        Strategy = strategy;
    }

    public RunConfig Config { get; }
    public DatasetSplit Data { get; }
    public FederatedPartition Partition { get; }
    public IReadOnlyList<PartitionedClientData> Clients { get; }
    public ClientPopulation Population { get; }

    /// <summary>The model family (full-rank spec with the data's input shape and classes).</summary>
    public ModelSpec Spec { get; }
    public StrategyOptions Options { get; }
    public IStrategy Strategy { get; }

    /// <summary>How the run's model is scored: <see cref="TaskOf"/> its dataset.</summary>
    public ITask Task => TaskOf(Data, Config);

    /// <summary>
    /// The task a dataset is for: classification of an image set; for a text corpus a token-prediction task of the
    /// config's objective (scored as classification over the vocabulary at every position, reported as perplexity).
    /// </summary>
    public static ITask TaskOf(DatasetSplit data, RunConfig config) =>
        data.Train is TokenSequences ? new TokenPrediction(TextTask.ObjectiveNames[(int)config.TextTask().Objective]) : Classification.Instance;

    /// <summary>Builds the setup; bad values are refused naming their config key.</summary>
    public static RunSetup Create(RunConfig config, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        config.Validate();
        var (data, partition) = LoadPartitioned(config, logger);
        var clients = PartitionedClientData.ForPartition(data, partition, config.TextTask());
        var population = PopulationOf(config);
        var spec = config.ModelSpecFor(data);
        var options = new StrategyOptions
        {
            Model = spec,
            Clients = population,
            Fraction = config.Federated.Fraction,
            LearningRate = config.Schedule(),
            Local = config.LocalTraining(),
            Seed = config.Seed,
            EvalBatchSize = config.Evaluation.BatchSize,
        };
        var strategy = Algorithms.Get(config.Algorithm).Create(new AlgorithmContext(config, options, logger));
        return new RunSetup(config, data, partition, clients, population, spec, options, strategy);
    }

    /// <summary>The config's dataset and its partition over the clients (each client's test split in the evaluation order).</summary>
    public static (DatasetSplit Data, FederatedPartition Partition) LoadPartitioned(RunConfig config, ILogger logger)
    {
        var data = DatasetResolver.Resolve(config.Dataset, config.DatasetOptions());
        var partition = FederatedPartitioner.Partition(data, config.PartitionSettings(), logger);
        if (config.Evaluation.Order == "by_class" && data.Test is TokenSequences)
            throw new ArgumentException($"evaluation.order by_class groups test images by class; dataset '{config.Dataset}' is a text corpus: use dataset");
        if (config.Evaluation.Order == "by_class") partition = partition.WithTestGroupedByClass(data.Test.Labels);
        return (data, partition);
    }

    /// <summary>The clients and their tiers: a pure function of the config (tiers, client count, seed).</summary>
    public static ClientPopulation PopulationOf(RunConfig config)
    {
        var tiers = config.ResourceTiers();
        return tiers.Count == 0 ? ClientPopulation.Unconstrained(config.Federated.NumClients)
            : ClientPopulation.Assign(tiers, config.Federated.NumClients, config.Seed);
    }
}
