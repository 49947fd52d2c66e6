using FedLmt.Layers;

namespace FedLmt.Models;

/// <summary>
/// Everything needed to build a model: architecture, input and classes, width, and - for a low-rank hybrid - the
/// ratio and start point. <see cref="Ratio"/> null means the full-rank model.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Architectures <see cref="ModelFactory"/> builds.</summary>
    public static readonly IReadOnlyList<string> Architectures = ["resnet18", "resnet34", "vgg11", "vgg16", "cnn", "mlp"];

    public string Architecture { get; init; } = "resnet18";
    public int InChannels { get; init; } = 3;
    public int Height { get; init; } = 32;
    public int Width { get; init; } = 32;
    public int NumClasses { get; init; } = 10;
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Rank ratio of the factorized layers; null for the full-rank model.</summary>
    public double? Ratio { get; init; }

    /// <summary>First block that is factorized (ignored when <see cref="Ratio"/> is null).</summary>
    public HybridStart DecomposeFrom { get; init; } = HybridStart.All;

    /// <summary>BatchNorm running statistics; off by default for FL, as in the reference (batch statistics at test time too).</summary>
    public bool TrackRunningStats { get; init; }

    public FactorInit Init { get; init; } = FactorInit.Spectral;

    public bool IsLowRank => Ratio is not null;

    /// <summary>The same model at full rank.</summary>
    public ModelSpec AsFull() => this with { Ratio = null };

    /// <summary>The same model at another ratio (null: full rank).</summary>
    public ModelSpec WithRatio(double? ratio) => this with { Ratio = ratio };

    /// <summary>Channels after the width multiplier, at least 1.</summary>
    public int Scale(int channels) => Math.Max(1, (int)Math.Round(channels * WidthMultiplier, MidpointRounding.ToEven));

    /// <summary>Refuses a spec that cannot be built, naming the field, the value and what is allowed.</summary>
    public ModelSpec Validate()
    {
        if (!Architectures.Contains(Architecture))
            throw new ArgumentException($"model.architecture '{Architecture}' is unknown; allowed: {string.Join(", ", Architectures)}");
        Require(InChannels >= 1, "model.in_channels", InChannels, ">= 1");
        Require(Height >= 1, "model.height", Height, ">= 1");
        Require(Width >= 1, "model.width", Width, ">= 1");
        Require(NumClasses >= 2, "model.num_classes", NumClasses, ">= 2");
        Require(WidthMultiplier > 0 && double.IsFinite(WidthMultiplier), "model.width_multiplier", WidthMultiplier, "a finite number > 0");
        if (Ratio is double r) Require(r > 0 && double.IsFinite(r), "model.ratio", r, "a finite number > 0 (or absent for the full model)");
        return this;
    }

    static void Require(bool ok, string key, object value, string allowed)
    {
        if (!ok) throw new ArgumentException($"{key} = {value} is not allowed; expected {allowed}");
    }

    public override string ToString() =>
        $"{Architecture}({InChannels}x{Height}x{Width}, {NumClasses} classes, width x{WidthMultiplier}" +
        (Ratio is double r ? $", ratio {r} from {DecomposeFrom})" : ", full)");
}
