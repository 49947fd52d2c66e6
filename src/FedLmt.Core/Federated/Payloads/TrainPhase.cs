namespace FedLmt.Federated;

/// <summary>Which parameters a phase of local training updates; the others stay frozen.</summary>
public enum ParameterGroup
{
    /// <summary>Every parameter.</summary>
    All,

    /// <summary>pFedLMT's common part: the full-rank prefix (<see cref="Models.HybridModel.IsCommon"/>).</summary>
    Common,

    /// <summary>pFedLMT's custom part: the factorized blocks and the head.</summary>
    Custom,
}

/// <summary>A stretch of local training that updates one parameter group for a share of the local steps.</summary>
public sealed record TrainPhase(ParameterGroup Group, double Share)
{
    /// <summary>Plain local training: everything, all the time.</summary>
    public static IReadOnlyList<TrainPhase> AllAtOnce { get; } = [new(ParameterGroup.All, 1.0)];

    /// <summary>pFedLMT's stage-2 schedule: the first half of the steps trains the custom part, the second the common.</summary>
    public static IReadOnlyList<TrainPhase> CustomThenCommon { get; } = [new(ParameterGroup.Custom, 0.5), new(ParameterGroup.Common, 0.5)];

    /// <summary>
    /// The step at which each phase ends, for <paramref name="totalSteps"/> local steps: the ceiling of the cumulative
    /// share times the total (so with 0.5/0.5 and an odd total the first phase gets the extra step), the last phase
    /// always ending at the total.
    /// </summary>
    public static long[] Boundaries(IReadOnlyList<TrainPhase> phases, long totalSteps)
    {
        Validate(phases);
        var ends = new long[phases.Count];
        double cumulative = 0;
        for (int i = 0; i < phases.Count; i++)
        {
            cumulative += phases[i].Share;
            ends[i] = i == phases.Count - 1 ? totalSteps : Math.Min(totalSteps, (long)Math.Ceiling(cumulative * totalSteps - 1e-9));
        }
        return ends;
    }

    /// <summary>Refuses an empty schedule, a share outside (0, 1] or shares that do not sum to 1.</summary>
    public static void Validate(IReadOnlyList<TrainPhase> phases)
    {
        if (phases.Count == 0) throw new ArgumentException("a training schedule needs at least one phase");
        foreach (var p in phases)
            Check.Require(p.Share > 0 && p.Share <= 1, "phase.share", p.Share, "a number in (0, 1]");
        double sum = phases.Sum(p => p.Share);
        Check.Require(Math.Abs(sum - 1) < 1e-9, "phase shares (sum)", sum, "shares that sum to 1");
    }
}
