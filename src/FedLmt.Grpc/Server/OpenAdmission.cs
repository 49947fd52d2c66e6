using FedLmt.Grpc.Protocol;
using FedLmt.Models;

namespace FedLmt.Grpc;

/// <summary>Admits clients 0..count-1 whatever they hold (connection benchmarks: there is no run behind them).</summary>
public sealed class OpenAdmission(int count) : IAdmission
{
    public Finished? Finished => null;

    public string? Refuse(Register registration) =>
        registration.ClientId >= 0 && registration.ClientId < count ? null : $"client id {registration.ClientId} is not in 0..{count - 1}";

    public Welcome WelcomeFor(Register registration) => new()
    {
        ClientId = registration.ClientId,
        RunName = "benchmark",
        Algorithm = "none",
        Tier = registration.Tier,
        Model = WireRecords.ToWire(new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 28, Width = 28 }),
    };
}
