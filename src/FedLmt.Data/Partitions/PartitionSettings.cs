using System.Globalization;

namespace FedLmt.Data;

/// <summary>A partition request, validated on construction; defaults follow the reference (alpha 0.5, 2 shards, at least 10 samples).</summary>
public sealed record PartitionSettings
{
    /// <summary>Creates and validates the settings.</summary>
    public PartitionSettings(
        PartitionScheme scheme, int clients, long seed, double alpha = 0.5, int shardsPerClient = 2, int minSamplesPerClient = 10)
    {
        if (!Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, $"Partition scheme must be one of {SchemeNames}.");
        }
        if (clients < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(clients), clients, $"clients = {clients}; expected at least 1.");
        }
        if (scheme == PartitionScheme.Dirichlet && (!(alpha > 0) || double.IsInfinity(alpha)))
        {
            throw new ArgumentOutOfRangeException(
                nameof(alpha), alpha,
                $"alpha = {alpha.ToString(CultureInfo.InvariantCulture)}; the Dirichlet concentration must be a finite number > 0 (the reference uses 0.5).");
        }
        if (scheme == PartitionScheme.Shards && shardsPerClient < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(shardsPerClient), shardsPerClient, $"shards per client = {shardsPerClient}; expected at least 1 (the reference uses 2).");
        }
        if (minSamplesPerClient < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(minSamplesPerClient), minSamplesPerClient, $"minimum samples per client = {minSamplesPerClient}; expected 0 or more.");
        }
        Scheme = scheme;
        Clients = clients;
        Seed = seed;
        Alpha = alpha;
        ShardsPerClient = shardsPerClient;
        MinSamplesPerClient = minSamplesPerClient;
    }

    /// <summary>The scheme.</summary>
    public PartitionScheme Scheme { get; }

    /// <summary>Number of clients.</summary>
    public int Clients { get; }

    /// <summary>Seed of all random choices; the same seed gives the same partition.</summary>
    public long Seed { get; }

    /// <summary>Dirichlet concentration (smaller = more skewed); used by <see cref="PartitionScheme.Dirichlet"/>.</summary>
    public double Alpha { get; }

    /// <summary>Classes (one shard each) per client; used by <see cref="PartitionScheme.Shards"/>.</summary>
    public int ShardsPerClient { get; }

    /// <summary>Dirichlet redraws until every client has at least this many training samples.</summary>
    public int MinSamplesPerClient { get; }

    /// <summary>The partitioner these settings describe.</summary>
    public IPartitioner CreatePartitioner() => Scheme switch
    {
        PartitionScheme.Iid => new IidPartitioner(),
        PartitionScheme.Shards => new ShardPartitioner(ShardsPerClient),
        PartitionScheme.Contiguous => new ContiguousPartitioner(),
        PartitionScheme.BySource => new BySourcePartitioner(),
        _ => new DirichletPartitioner(Alpha, MinSamplesPerClient),
    };

    /// <summary>The scheme names <see cref="ParseScheme"/> takes, for help and errors.</summary>
    public const string SchemeNames = "iid, shards, dirichlet, contiguous, by_source";

    /// <summary>Parses "iid", "shards" (or "pathological"), "dirichlet", "contiguous" and "by_source", naming the allowed values on failure.</summary>
    public static PartitionScheme ParseScheme(string value) => value?.Trim().ToLowerInvariant() switch
    {
        "iid" => PartitionScheme.Iid,
        "shards" or "pathological" => PartitionScheme.Shards,
        "dirichlet" => PartitionScheme.Dirichlet,
        "contiguous" => PartitionScheme.Contiguous,
        "by_source" => PartitionScheme.BySource,
        _ => throw new ArgumentException($"Partition scheme '{value}' is unknown; expected {SchemeNames}."),
    };

    /// <inheritdoc />
    public override string ToString() => Scheme switch
    {
        PartitionScheme.Iid => $"iid, {Clients} clients, seed {Seed}",
        PartitionScheme.Shards => $"shards ({ShardsPerClient} per client), {Clients} clients, seed {Seed}",
        PartitionScheme.Contiguous => $"contiguous, {Clients} clients",
        PartitionScheme.BySource => $"by source, {Clients} clients",
        _ => $"dirichlet (alpha {Alpha.ToString(CultureInfo.InvariantCulture)}), {Clients} clients, seed {Seed}",
    };
}
