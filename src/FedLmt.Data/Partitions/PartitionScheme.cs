namespace FedLmt.Data;

/// <summary>How training samples are spread over clients.</summary>
public enum PartitionScheme
{
    /// <summary>Class-balanced equal shares.</summary>
    Iid,

    /// <summary>Pathological non-IID: each client holds a fixed number of classes, one equal-size shard each.</summary>
    Shards,

    /// <summary>Per class, shares over clients drawn from Dirichlet(alpha).</summary>
    Dirichlet,
}
