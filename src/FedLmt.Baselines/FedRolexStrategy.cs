using FedLmt.Federated;
using Microsoft.Extensions.Logging;

namespace FedLmt.Baselines;

/// <summary>
/// FedRolex (Alam et al., NeurIPS 2022): HeteroFL with a rolling window. In round t every C-channel layer's window of
/// ceil(w x C) channels starts at t mod C and wraps around; all clients of a round share it, so over C rounds every
/// channel is trained by every rate.
/// </summary>
public sealed class FedRolexStrategy : HeteroFlStrategy
{
    public FedRolexStrategy(StrategyOptions options, BaselineOptions? baseline = null, ModelCostCatalog? costs = null, ILogger? logger = null)
        : base("fedrolex", options, baseline, costs, logger)
    {
    }

    public override ChannelWindow WindowFor(int round) => ChannelWindow.Rolling(round);
}
