using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Runs;

namespace FedLmt.Grpc;

/// <summary>
/// Admits a client when it is one of the run's clients and describes the same data the server's config gives it:
/// its id in range, its training and test example counts those of its partition, its tier the one the config assigns.
/// A client with another config or dataset would otherwise train on other data than the run means.
/// </summary>
public sealed class RunAdmission(RunSetup setup, Func<int> completedRounds) : IAdmission
{
    public Finished? Finished { get; set; }

    public string? Refuse(Register r)
    {
        int n = setup.Population.Count;
        if (r.ClientId < 0 || r.ClientId >= n) return $"client id {r.ClientId} is not in this run (ids 0..{n - 1})";
        var data = setup.Clients[r.ClientId];
        if (r.TrainExamples != data.TrainCount || r.TestExamples != data.TestCount)
            return $"client {r.ClientId} registered {r.TrainExamples} training and {r.TestExamples} test examples; the run's partition gives it " +
                   $"{data.TrainCount} and {data.TestCount} (same config and dataset on both sides?)";
        string tier = setup.Population.TierOf(r.ClientId).Name;
        if (r.Tier != tier) return $"client {r.ClientId} registered tier '{ClientText.Clean(r.Tier)}'; the run assigns it '{tier}'";
        return null;
    }

    public Welcome WelcomeFor(Register r)
    {
        var strategy = setup.Strategy;
        var spec = strategy.ModelFor(r.ClientId);
        return new Welcome
        {
            ClientId = r.ClientId,
            RunName = setup.Config.Name,
            Algorithm = strategy.Name,
            Tier = setup.Population.TierOf(r.ClientId).Name,
            Model = WireRecords.ToWire(spec),
            CompletedRounds = completedRounds(),
            TotalRounds = setup.Config.Federated.Rounds,
        };
    }
}
