using FedLmt.Layers;

namespace FedLmt.Models;

/// <summary>
/// Everything needed to build a model: architecture, input and classes, width, and - for a low-rank hybrid - the
/// ratio and start point. <see cref="Ratio"/> null means the full-rank model.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Architectures <see cref="ModelFactory"/> builds.</summary>
    public static readonly IReadOnlyList<string> Architectures = ["resnet18", "resnet34", "vgg11", "vgg16", "cnn", "mlp", "transformer"];

    /// <summary>The architectures that read token windows (a text corpus) rather than images.</summary>
    public static readonly IReadOnlyList<string> TextArchitectures = ["transformer"];

    /// <summary>The widest model built: refused above it before any allocation (width 8 gives ResNet-18 ~700M parameters, 2.9 GB).</summary>
    public const double MaxWidthMultiplier = 8;

    public string Architecture { get; init; } = "resnet18";
    public int InChannels { get; init; } = 3;
    public int Height { get; init; } = 32;
    public int Width { get; init; } = 32;
    /// <summary>Output classes: an image set's classes, a language model's vocabulary (its input adds a mask token).</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Positions per input window of a language model (its positional embedding's size); unused by image models.</summary>
    public int SequenceLength { get; init; } = 64;
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Rank ratio of the factorized layers; null for the full-rank model.</summary>
    public double? Ratio { get; init; }

    /// <summary>First block that is factorized (ignored when <see cref="Ratio"/> is null).</summary>
    public HybridStart DecomposeFrom { get; init; } = HybridStart.All;

    /// <summary>BatchNorm running statistics; off by default for FL, as in the reference (batch statistics at test time too).</summary>
    public bool TrackRunningStats { get; init; }

    public FactorInit Init { get; init; } = FactorInit.Spectral;

    /// <summary>
    /// HeteroFL/FedRolex width rate w in (0, 1]: every hidden layer keeps ceil(w x its channels) (counted after
    /// <see cref="WidthMultiplier"/>); input channels and classes stay whole. Null (the default): the whole width.
    /// </summary>
    public double? SubModelRate { get; init; }

    /// <summary>
    /// HeteroFL's scaler: while training, each hidden layer's output is divided by <see cref="SubModelRate"/> (so a
    /// narrow sub-model's activations keep the full model's magnitude); evaluation is unscaled. Off by default.
    /// </summary>
    public bool ScaleActivations { get; init; }

    public bool IsLowRank => Ratio is not null;

    /// <summary>Whether the model reads token windows (<see cref="TextArchitectures"/>) rather than images.</summary>
    public bool IsTextModel => TextArchitectures.Contains(Architecture);

    /// <summary>The divisor hidden activations get while training (null: none).</summary>
    public double? TrainingActivationScale => ScaleActivations && SubModelRate is double w ? w : null;

    /// <summary>The full model: full rank and, for a width sub-model, the whole width without the scaler.</summary>
    public ModelSpec AsFull() => this with { Ratio = null, SubModelRate = null, ScaleActivations = false };

    /// <summary>The same model at another ratio (null: full rank).</summary>
    public ModelSpec WithRatio(double? ratio) => this with { Ratio = ratio };

    /// <summary>Channels after the width multiplier, at least 1; of a width sub-model, ceil(rate x those).</summary>
    public int Scale(int channels)
    {
        int whole = Math.Max(1, (int)Math.Round(channels * WidthMultiplier, MidpointRounding.ToEven));
        return SubModelRate is double w ? SubModelChannels(whole, w) : whole;
    }

    /// <summary>
    /// HeteroFL's channel count ceil(w x C), at least 1 (the 1e-9 keeps a product such as 0.1 x 30 from rounding up
    /// past the integer it is meant to be).
    /// </summary>
    public static int SubModelChannels(int channels, double rate) =>
        Math.Clamp((int)Math.Ceiling(rate * channels - 1e-9), 1, channels);

    /// <summary>Refuses a spec that cannot be built, naming the field, the value and what is allowed.</summary>
    public ModelSpec Validate()
    {
        if (!Architectures.Contains(Architecture))
            throw new ArgumentException($"model.architecture '{Architecture}' is unknown; allowed: {string.Join(", ", Architectures)}");
        Check.Require(InChannels >= 1, "model.in_channels", InChannels, ">= 1");
        Check.Require(Height >= 1, "model.height", Height, ">= 1");
        Check.Require(Width >= 1, "model.width", Width, ">= 1");
        Check.Require(NumClasses >= 2, IsTextModel ? "the vocabulary size" : "model.num_classes", NumClasses, ">= 2");
        Check.Require(SequenceLength >= 1, "text.sequence_length", SequenceLength, ">= 1");
        Check.Require(WidthMultiplier > 0 && WidthMultiplier <= MaxWidthMultiplier, "model.width_multiplier", WidthMultiplier,
            $"a number in (0, {MaxWidthMultiplier}] (ResNet-18 at width 8 already has ~700 million parameters)");
        if (Ratio is double r) Check.Require(r > 0 && double.IsFinite(r), "model.ratio", r, "a finite number > 0 (or absent for the full model)");
        if (SubModelRate is double w) Check.Require(w > 0 && w <= 1, "model.sub_model_rate", w, "a number in (0, 1] (or absent for the whole width)");
        return this;
    }

    public override string ToString() =>
        (IsTextModel ? $"{Architecture}({NumClasses} words, {SequenceLength} positions, width x{WidthMultiplier}"
            : $"{Architecture}({InChannels}x{Height}x{Width}, {NumClasses} classes, width x{WidthMultiplier}") +
        (SubModelRate is double w ? $", sub-model rate {w}{(ScaleActivations ? " scaled" : "")}" : "") +
        (Ratio is double r ? $", ratio {r} from {DecomposeFrom})" : ", full)");
}
