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

    /// <summary>
    /// The samples in dataset order cut into as many consecutive pieces as clients (sizes differ by at most one): the
    /// authors' IID split of a token stream, where each client gets one contiguous stretch of text.
    /// </summary>
    Contiguous,

    /// <summary>One client per label - a text corpus's source (a president, a chapter): a natural non-IID split; needs as many clients as labels.</summary>
    BySource,
}
