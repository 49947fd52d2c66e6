using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// The server side of a federated algorithm, transport-blind (Flower's Strategy, completed): which clients may train
/// and which of those available train a round, what each gets, how replies combine, what each client evaluates, and
/// everything a deployment must tell a client. A simulation and a deployment ask the same questions; neither looks at
/// the concrete type. Rounds are 0-based.
/// </summary>
public interface IStrategy
{
    /// <summary>A short name for logs and reports.</summary>
    string Name { get; }

    /// <summary>One line for logs and run summaries: the model(s) it trains.</summary>
    string Description { get; }

    /// <summary>Rounds aggregated so far: the round a resumed run continues with.</summary>
    int CompletedRounds { get; }

    /// <summary>The clients that may ever train (a tier that affords nothing leaves its clients out), ascending.</summary>
    IReadOnlyList<int> EligibleClients { get; }

    /// <summary>
    /// The clients that train in <paramref name="round"/>, drawn from the eligible ones that are
    /// <paramref name="available"/> (all of them in a simulation, the connected ones in a deployment); a pure function
    /// of the run seed, the round and that pool, so with every client available the draw is the simulation's.
    /// </summary>
    IReadOnlyList<int> SampleClients(int round, IReadOnlyCollection<int> available);

    /// <summary>The model a client works with now: the one it trains, or for a client that trains none, the one it evaluates.</summary>
    ModelSpec ModelFor(int clientId);

    /// <summary>
    /// Whether a state entry is the client's own (pFedLMT's custom parameters after the meta round): a deployed client
    /// keeps it on its disk, and it is not sent to a client whose kept copy is the one the strategy would send.
    /// </summary>
    bool ClientOwns(string tensorName);

    /// <summary>
    /// One instruction per client. Throws <see cref="InvalidOperationException"/> if a client would get a model over its
    /// budget. The caller disposes the instructions after the round (their parameters may be borrowed views of server
    /// state, which must not change until then).
    /// </summary>
    IReadOnlyList<TrainInstruction> ConfigureTrain(int round, IReadOnlyList<int> clients);

    /// <summary>
    /// Folds the replies that arrived into the server state; failed clients are simply absent and the weights of the
    /// others renormalize. Returns server-side metrics of the round (<see cref="MetricNames"/>).
    /// </summary>
    IReadOnlyDictionary<string, double> AggregateTrain(int round, IReadOnlyList<TrainReply> replies, IReadOnlyList<ClientFailure> failures);

    /// <summary>What each client evaluates on its own test data: the global model, or its personalized one.</summary>
    IReadOnlyList<EvaluateInstruction> ConfigureEvaluate(int round, IReadOnlyList<int> clients);

    /// <summary>Combines client evaluations: the mean over clients (the reference's metric) and the example-weighted mean.</summary>
    EvaluationSummary AggregateEvaluate(int round, IReadOnlyList<EvaluateReply> replies, IReadOnlyList<ClientFailure> failures);

    /// <summary>A model carrying the current global parameters (caller disposes), or null where there is no single global model.</summary>
    HybridModel? CreateGlobalModel();

    /// <summary>Owned copies of everything a checkpoint needs.</summary>
    ServerState ExportState();

    /// <summary>Restores a state exported by the same strategy with the same options (copies it; the caller keeps it).</summary>
    void ImportState(ServerState state);
}
