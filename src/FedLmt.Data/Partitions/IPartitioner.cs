namespace FedLmt.Data;

/// <summary>Splits a labelled training set over clients.</summary>
public interface IPartitioner
{
    /// <summary>
    /// Per client, the indices (ascending) of the samples it holds; every index goes to exactly one client.
    /// All randomness comes from <paramref name="random"/>.
    /// </summary>
    int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random);
}
