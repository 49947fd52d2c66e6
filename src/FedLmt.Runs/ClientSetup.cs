using FedLmt.Data;
using FedLmt.Federated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLmt.Runs;

/// <summary>
/// What a deployed client builds from the run's config: its own partition of the dataset and its tier, nothing else.
/// The partition is computed from the whole dataset (it depends on every label), then only this client's images are
/// kept; no strategy, model or other client's data is built (the server tells the client what to train).
/// </summary>
public sealed class ClientSetup
{
    ClientSetup(int clientId, IClientData data, ITask task, string dataset, string tier)
    {
        ClientId = clientId;
        Task = task;
        Data = data;
        Dataset = dataset;
        Tier = tier;
    }

    public int ClientId { get; }

    /// <summary>This client's training and test examples, in the order the simulation's client reads them.</summary>
    public IClientData Data { get; }

    /// <summary>How this client scores its batches (the run's task).</summary>
    public ITask Task { get; }

    /// <summary>The dataset's name (for logs).</summary>
    public string Dataset { get; }

    /// <summary>The tier the config assigns this client.</summary>
    public string Tier { get; }

    /// <summary>
    /// The setups of the clients a host serves: the dataset is read and partitioned once and shared; each client holds
    /// only its index arrays until its loaders first read (so an idle client costs a few kilobytes).
    /// </summary>
    public static IReadOnlyList<ClientSetup> ForHost(RunConfig config, IReadOnlyList<int> clientIds, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        config.Validate();
        RequireClients(config, clientIds, "--ids");
        var (data, partition) = RunSetup.LoadPartitioned(config, logger);
        var population = RunSetup.PopulationOf(config);
        var task = RunSetup.TaskOf(data, config);
        var text = config.TextTask();
        return clientIds.Select(id => new ClientSetup(id, new PartitionedClientData(data, partition.Train[id], partition.Test[id], text), task,
            config.Dataset, population.TierOf(id).Name)).ToList();
    }

    /// <summary>Refuses client ids the config does not have, naming them and <paramref name="option"/>.</summary>
    public static void RequireClients(RunConfig config, IEnumerable<int> clientIds, string option)
    {
        var outside = clientIds.Where(id => id < 0 || id >= config.Federated.NumClients).Take(5).ToList();
        if (outside.Count > 0)
            throw new ArgumentException($"{option} {string.Join(", ", outside)}: the config has {config.Federated.NumClients} clients (ids 0..{config.Federated.NumClients - 1})");
    }

    /// <summary>Builds client <paramref name="clientId"/>'s setup; refuses an id the config does not have.</summary>
    public static ClientSetup Create(RunConfig config, int clientId, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        config.Validate();
        RequireClients(config, [clientId], "--id");
        var (data, partition) = RunSetup.LoadPartitioned(config, logger);
        int[] train = partition.Train[clientId], test = partition.Test[clientId];
        var own = new DatasetSplit(data.Train.Select(train), data.Test.Select(test), data.TrainAugmentation);
        var clientData = new PartitionedClientData(own, Enumerable.Range(0, train.Length).ToArray(), Enumerable.Range(0, test.Length).ToArray(),
            config.TextTask());
        return new ClientSetup(clientId, clientData, RunSetup.TaskOf(data, config), config.Dataset, RunSetup.PopulationOf(config).TierOf(clientId).Name);
    }
}
