using FedLmt.Baselines;
using FedLmt.Federated;
using Microsoft.Extensions.Logging;

namespace FedLmt.Runs;

/// <summary>What an algorithm's factory is given: the run's config, the strategy options it built, and a logger.</summary>
public sealed record AlgorithmContext(RunConfig Config, StrategyOptions Options, ILogger Logger);

/// <summary>
/// An algorithm a run can name (config key <c>algorithm</c>): its name, one line on what it is, how its strategy is
/// built, whether <c>fedlmt compare</c> runs it by default, and whether it is defined for the image models only (it
/// trains width sub-models; a default comparison on a text corpus leaves it out).
/// </summary>
public sealed record Algorithm(string Name, string Summary, Func<AlgorithmContext, IStrategy> Create, bool InComparison = true, bool ImagesOnly = false);

/// <summary>
/// The one list of algorithms: simulate, compare and a deployed server all build their strategy from it. A new
/// algorithm is a strategy class and one <see cref="Register"/> call; it then runs simulated, compared and deployed.
/// </summary>
public static class Algorithms
{
    static readonly Lock Gate = new();

    static List<Algorithm> _all =
    [
        new("fedavg-all", "FedAvg with the full model, every client assumed to afford it (the upper bound)",
            c => new FedAvgStrategy(c.Options, FedAvgMode.EveryClient, logger: c.Logger)),
        new("fedavg-excluded", "FedAvg with the full model; clients whose tier cannot afford it never take part",
            c => new FedAvgStrategy(c.Options, FedAvgMode.ExcludeUnaffordable, logger: c.Logger)),
        new("fedlmt", "one shared pre-factorized low-rank hybrid every tier affords (model.ratio, or the largest affordable)",
            c => new FedLmtStrategy(c.Options, c.Config.Model.Ratio, logger: c.Logger)),
        new("pfedlmt", "FedLMT, then per-tier ranks with personalized custom layers from the meta round on",
            c => new PFedLmtStrategy(c.Options, c.Config.PFedLmtOptions(c.Options.Clients.Tiers, c.Options.Model), logger: c.Logger)),
        new("heterofl", "width sub-models, fixed leading channels per tier",
            c => new HeteroFlStrategy(c.Options, c.Config.BaselineOptions(), logger: c.Logger), ImagesOnly: true),
        new("fedrolex", "width sub-models on a channel window rolling each round",
            c => new FedRolexStrategy(c.Options, c.Config.BaselineOptions(), logger: c.Logger), ImagesOnly: true),
        new("fedhm", "low-rank truncations of the full model per tier, recovered to full for averaging",
            c => new FedHmStrategy(c.Options, logger: c.Logger)),
    ];

    /// <summary>Every algorithm, in the order of the comparison table.</summary>
    public static IReadOnlyList<Algorithm> All => _all;

    /// <summary>Every algorithm's name.</summary>
    public static IReadOnlyList<string> Names => _all.Select(a => a.Name).ToList();

    /// <summary>The algorithms <c>fedlmt compare</c> runs when not told which.</summary>
    public static IReadOnlyList<string> DefaultArms => _all.Where(a => a.InComparison).Select(a => a.Name).ToList();

    /// <summary>The default arms for a model: all of <see cref="DefaultArms"/>, less those defined for images only when it reads text.</summary>
    public static IReadOnlyList<string> DefaultArmsFor(string architecture) => Models.ModelSpec.TextArchitectures.Contains(architecture)
        ? _all.Where(a => a.InComparison && !a.ImagesOnly).Select(a => a.Name).ToList()
        : DefaultArms;

    /// <summary>Whether <paramref name="name"/> is an algorithm.</summary>
    public static bool Contains(string name) => _all.Any(a => a.Name == name);

    /// <summary>The algorithm <paramref name="name"/> names; refuses an unknown one, listing those allowed.</summary>
    public static Algorithm Get(string name) => _all.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"algorithm = {name} is not allowed; expected {string.Join(", ", Names)}");

    /// <summary>Adds an algorithm; refuses a name already taken.</summary>
    public static void Register(Algorithm algorithm)
    {
        if (string.IsNullOrWhiteSpace(algorithm.Name) || algorithm.Name.Any(c => char.IsWhiteSpace(c) || c == ','))
            throw new ArgumentException($"algorithm name '{algorithm.Name}': must be non-empty, without spaces or commas");
        lock (Gate)
        {
            if (Contains(algorithm.Name)) throw new ArgumentException($"algorithm '{algorithm.Name}' is registered already");
            _all = [.. _all, algorithm]; // readers see the old list or the new one, never a half-built one
        }
    }
}
