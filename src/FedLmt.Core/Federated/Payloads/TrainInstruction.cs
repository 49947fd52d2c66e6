using FedLmt.Models;

namespace FedLmt.Federated;

/// <summary>
/// What the server sends one client for a training round: its model (spec and parameters), the round's learning rate,
/// the local training settings, which parameter groups train in which phase, and the run seed its batch order derives from.
/// </summary>
/// <remarks>
/// Parameters holds every state entry of the model Spec builds, often as a borrowed view of server state. RunSeed, with
/// round, client id and epoch, fixes the batch order (<see cref="ClientTrainer.ShuffleSeed"/>).
/// </remarks>
public sealed record TrainInstruction(
    int Round,
    int ClientId,
    ModelSpec Spec,
    NamedTensors Parameters,
    double LearningRate,
    LocalTrainingConfig Local,
    IReadOnlyList<TrainPhase> Phases,
    long RunSeed) : IDisposable
{
    public void Dispose() => Parameters.Dispose();
}

/// <summary>
/// What a client sends back after training: its parameters (every state entry), its aggregation weight NumExamples
/// (its training examples) and its metrics.
/// </summary>
public sealed record TrainReply(int ClientId, NamedTensors Parameters, long NumExamples, IReadOnlyDictionary<string, double> Metrics) : IDisposable
{
    public void Dispose() => Parameters.Dispose();
}

/// <summary>What the server sends a client to evaluate a model on the client's own test data.</summary>
public sealed record EvaluateInstruction(int Round, int ClientId, ModelSpec Spec, NamedTensors Parameters, int BatchSize) : IDisposable
{
    public void Dispose() => Parameters.Dispose();
}

/// <summary>A client's evaluation: test examples and metrics (<see cref="MetricNames.TestLoss"/>, <see cref="MetricNames.TestAccuracy"/>).</summary>
public sealed record EvaluateReply(int ClientId, long NumExamples, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A client that errored or vanished: an ordinary input of aggregation, not an exception.</summary>
public sealed record ClientFailure(int ClientId, string Reason);
