using FedLmt.Federated;
using FedLmt.Models;

namespace FedLmt.Grpc;

/// <summary>
/// A strategy as a deployed server runs it: the wrapped strategy decides everything, except that each round samples
/// among the eligible clients connected now (with the strategy's own sampler, seed and fraction, so with every client
/// connected the draw is the simulation's), and a round with fewer than <see cref="MinReplies"/> replies is not
/// aggregated (the server retries it).
/// </summary>
public sealed class ConnectedClientsStrategy : IStrategy
{
    /// <summary>The metric that tells whether a round was aggregated (1) or must be retried (0).</summary>
    public const string Aggregated = "aggregated";

    readonly IStrategy _inner;
    readonly Func<IReadOnlyCollection<int>> _connected;
    readonly ClientSampler _sampler;
    readonly IReadOnlyList<int> _eligible;

    public ConnectedClientsStrategy(IStrategy inner, StrategyOptions options, Func<IReadOnlyCollection<int>> connected, int minReplies)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minReplies, 1);
        _inner = inner;
        _connected = connected;
        _sampler = new ClientSampler(options.Fraction, options.Seed);
        _eligible = inner is FedAvgStrategy f ? f.EligibleClients : options.Clients.Clients;
        MinReplies = minReplies;
    }

    public IStrategy Inner => _inner;

    /// <summary>The fewest replies a round is aggregated with.</summary>
    public int MinReplies { get; }

    /// <summary>The clients the strategy may sample (those whose tier affords the model).</summary>
    public IReadOnlyList<int> EligibleClients => _eligible;

    public string Name => _inner.Name;

    public int CompletedRounds => _inner.CompletedRounds;

    public IReadOnlyList<int> SampleClients(int round)
    {
        var connected = _connected().ToHashSet();
        return _sampler.Sample(round, _eligible.Where(connected.Contains).ToList());
    }

    public IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients) => _inner.ConfigureTrain(round, clients);

    public IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures)
    {
        if (replies.Count < MinReplies)
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [Aggregated] = 0,
                [MetricNames.Replies] = replies.Count,
                [MetricNames.Failures] = failures.Count,
            };
        var metrics = new Dictionary<string, double>(_inner.AggregateTrain(round, replies, failures), StringComparer.Ordinal) { [Aggregated] = 1 };
        return metrics;
    }

    public IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients) => _inner.ConfigureEvaluate(round, clients);

    public EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures) =>
        _inner.AggregateEvaluate(round, replies, failures);

    public HybridModel? CreateGlobalModel() => _inner.CreateGlobalModel();

    public ServerState ExportState() => _inner.ExportState();

    public void ImportState(ServerState state) => _inner.ImportState(state);
}
