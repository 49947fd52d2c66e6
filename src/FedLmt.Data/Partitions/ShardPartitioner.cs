namespace FedLmt.Data;

/// <summary>
/// Pathological non-IID (McMahan et al.): each client receives <see cref="ShardsPerClient"/> shards, each shard a
/// block of one class, and no client gets two shards of the same class, so every client sees exactly that many classes.
/// </summary>
/// <remarks>
/// The clients x shards shards are divided evenly over the classes present (m per class, which must be a whole
/// number no larger than the number of clients); a class's shuffled samples are cut into m near-equal blocks
/// (exactly equal when the class size divides), so every sample is dealt. Shards are dealt client by client: a
/// class with as many shards left as clients left is taken now (otherwise some later client would have to take two
/// of it), the rest are drawn at random in proportion to the shards each class has left. That rule never gets stuck.
/// </remarks>
public sealed class ShardPartitioner : IPartitioner
{
    /// <summary>Creates the partitioner; the reference uses 2 shards per client.</summary>
    public ShardPartitioner(int shardsPerClient = 2)
    {
        if (shardsPerClient < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(shardsPerClient), shardsPerClient, $"shards per client = {shardsPerClient}; expected at least 1.");
        }
        ShardsPerClient = shardsPerClient;
    }

    /// <summary>Shards, and so distinct classes, per client.</summary>
    public int ShardsPerClient { get; }

    /// <inheritdoc />
    public int[][] Split(IReadOnlyList<int> labels, int classCount, int clients, SeededRandom random)
    {
        PartitionChecks.Common(labels, classCount, clients, random);
        var byClass = PartitionChecks.IndicesByClass(labels, classCount);
        var present = Enumerable.Range(0, classCount).Where(c => byClass[c].Length > 0).ToArray();
        var k = ShardsPerClient;
        var totalShards = (long)clients * k;
        if (k > present.Length)
        {
            throw new ArgumentException(
                $"shards per client = {k}, but the training set has only {present.Length} classes; a client cannot hold {k} distinct classes.");
        }
        if (totalShards % present.Length != 0)
        {
            throw new ArgumentException(
                $"clients x shards per client = {clients} x {k} = {totalShards} shards cannot be dealt evenly over {present.Length} classes; " +
                $"expected clients x shards to be a multiple of {present.Length}.");
        }
        var perClass = (int)(totalShards / present.Length);
        foreach (var c in present)
        {
            if (byClass[c].Length < perClass)
            {
                throw new ArgumentException(
                    $"class {c} has {byClass[c].Length} samples, fewer than its {perClass} shards (clients x shards / classes = {clients} x {k} / {present.Length}); use fewer clients or shards.");
            }
        }

        // Cut each shuffled class into perClass near-equal shards.
        var shards = new Queue<int[]>[classCount];
        foreach (var c in present)
        {
            var samples = byClass[c];
            random.Shuffle(samples.AsSpan());
            shards[c] = new Queue<int[]>(perClass);
            for (var s = 0; s < perClass; s++)
            {
                var start = (int)((long)samples.Length * s / perClass);
                var end = (int)((long)samples.Length * (s + 1) / perClass);
                shards[c].Enqueue(samples[start..end]);
            }
        }

        var left = new int[classCount];
        foreach (var c in present)
        {
            left[c] = perClass;
        }
        var parts = new List<int>[clients];
        var chosen = new List<int>(k);
        for (var client = 0; client < clients; client++)
        {
            var clientsLeft = clients - client;
            chosen.Clear();
            foreach (var c in present)
            {
                if (left[c] == clientsLeft)
                {
                    chosen.Add(c);
                }
            }
            while (chosen.Count < k)
            {
                chosen.Add(DrawWeighted(left, chosen, random));
            }
            parts[client] = [];
            foreach (var c in chosen)
            {
                parts[client].AddRange(shards[c].Dequeue());
                left[c]--;
            }
        }
        return PartitionChecks.Sorted(parts);
    }

    private static int DrawWeighted(int[] left, List<int> exclude, SeededRandom random)
    {
        long total = 0;
        for (var c = 0; c < left.Length; c++)
        {
            if (!exclude.Contains(c))
            {
                total += left[c];
            }
        }
        var target = (long)(random.NextDouble() * total);
        for (var c = 0; c < left.Length; c++)
        {
            if (exclude.Contains(c) || left[c] == 0)
            {
                continue;
            }
            if (target < left[c])
            {
                return c;
            }
            target -= left[c];
        }
        throw new InvalidOperationException("Shard dealing ran out of classes; the feasibility rule was violated.");
    }
}
