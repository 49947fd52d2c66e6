using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedLmt.Data;

/// <summary>Per-client sample counts and class histograms of a partition, for tables, JSON and plots.</summary>
public sealed class PartitionStatistics
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private PartitionStatistics(string dataset, PartitionSettings settings, IReadOnlyList<string> classNames, int[][] train, int[][] test)
    {
        Dataset = dataset;
        Settings = settings;
        ClassNames = classNames;
        TrainHistogram = train;
        TestHistogram = test;
    }

    /// <summary>Name of the dataset partitioned.</summary>
    public string Dataset { get; }

    /// <summary>The settings that produced the partition.</summary>
    public PartitionSettings Settings { get; }

    /// <summary>Class names, one per histogram column.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>[client][class] training sample counts.</summary>
    public IReadOnlyList<int[]> TrainHistogram { get; }

    /// <summary>[client][class] test sample counts.</summary>
    public IReadOnlyList<int[]> TestHistogram { get; }

    /// <summary>Number of clients.</summary>
    public int ClientCount => TrainHistogram.Count;

    /// <summary>Training samples of client <paramref name="client"/>.</summary>
    public int TrainCount(int client) => TrainHistogram[client].Sum();

    /// <summary>Test samples of client <paramref name="client"/>.</summary>
    public int TestCount(int client) => TestHistogram[client].Sum();

    /// <summary>Classes with at least one training sample at client <paramref name="client"/>.</summary>
    public int ClassesHeld(int client) => TrainHistogram[client].Count(n => n > 0);

    /// <summary>Counts the classes of every client's train and test indices.</summary>
    public static PartitionStatistics Compute(DatasetSplit data, FederatedPartition partition)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(partition);
        return new PartitionStatistics(
            data.Train.Name.Split('/')[0], partition.Settings, data.Train.ClassNames,
            Histograms(data.Train.Labels, partition.Train, data.ClassCount),
            Histograms(data.Test.Labels, partition.Test, data.ClassCount));
    }

    /// <summary>A JSON document: settings, class names and, per client, counts and class histograms.</summary>
    public string ToJson()
    {
        var document = new
        {
            Dataset,
            Scheme = Settings.Scheme.ToString().ToLowerInvariant(),
            ClientCount = Settings.Clients,
            Settings.Seed,
            Alpha = Settings.Scheme == PartitionScheme.Dirichlet ? Settings.Alpha : (double?)null,
            ShardsPerClient = Settings.Scheme == PartitionScheme.Shards ? Settings.ShardsPerClient : (int?)null,
            ClassNames,
            Summary = new
            {
                TrainMin = Enumerable.Range(0, ClientCount).Min(TrainCount),
                TrainMax = Enumerable.Range(0, ClientCount).Max(TrainCount),
                TrainMean = Math.Round(Enumerable.Range(0, ClientCount).Average(TrainCount), 2),
                TestMin = Enumerable.Range(0, ClientCount).Min(TestCount),
                TestMax = Enumerable.Range(0, ClientCount).Max(TestCount),
                ClassesPerClientMean = Math.Round(Enumerable.Range(0, ClientCount).Average(ClassesHeld), 2),
            },
            PerClient = Enumerable.Range(0, ClientCount).Select(k => new
            {
                Client = k,
                Train = TrainCount(k),
                Test = TestCount(k),
                Classes = ClassesHeld(k),
                TrainHistogram = TrainHistogram[k],
                TestHistogram = TestHistogram[k],
            }),
        };
        return JsonSerializer.Serialize(document, JsonOptions);
    }

    /// <summary>The training histogram as a [client, class] matrix of doubles (for heat maps).</summary>
    public double[,] TrainMatrix()
    {
        var matrix = new double[ClientCount, ClassNames.Count];
        for (var k = 0; k < ClientCount; k++)
        {
            for (var c = 0; c < ClassNames.Count; c++)
            {
                matrix[k, c] = TrainHistogram[k][c];
            }
        }
        return matrix;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Dataset}: {Settings}");

    private static int[][] Histograms(int[] labels, IReadOnlyList<int[]> parts, int classCount) =>
        [.. parts.Select(part =>
        {
            var h = new int[classCount];
            foreach (var i in part)
            {
                h[labels[i]]++;
            }
            return h;
        })];
}
