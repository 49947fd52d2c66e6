using FedLmt.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// A model built from a <see cref="ModelSpec"/>: full-rank, or a low-rank hybrid whose layers from the start point on
/// are factorized. Knows which of its parameters are pFedLMT's common (full-rank prefix) ones.
/// </summary>
public abstract class HybridModel : nn.Module<Tensor, Tensor>
{
    protected HybridModel(string name, ModelSpec spec, Generator? generator) : base(name)
    {
        Spec = spec;
        InitGenerator = generator;
    }

    /// <summary>The generator factorized layers draw their initialization from while the model is built (null: global).</summary>
    protected Generator? InitGenerator { get; }

    public ModelSpec Spec { get; }

    /// <summary>
    /// Whether a state entry belongs to the common part (the full-rank prefix before the start point) rather than the
    /// custom part (the factorized blocks and the classifier head). A full-rank model counts everything as common.
    /// </summary>
    public abstract bool IsCommon(string name);

    /// <summary>A zero input of <paramref name="batch"/> samples in the shape the model takes (images [B, C, H, W] by default).</summary>
    public virtual Tensor ExampleInput(int batch) => torch.zeros(batch, Spec.InChannels, Spec.Height, Spec.Width);

    /// <summary>Seeds whatever randomness the forward pass draws while training (dropout); a no-op for models without any.</summary>
    public virtual void SeedRandomness(long seed) { }

    /// <summary>
    /// The model's own initialization, after <see cref="ModelFactory"/> has drawn the standard layers: models whose
    /// scheme differs from the shared one (the transformer) override it. Draws from <paramref name="generator"/> (null: global).
    /// </summary>
    public virtual void InitializeWeights(Generator? generator) { }

    /// <summary>A conv that is factorized when <paramref name="factorize"/> and the spec is low-rank.</summary>
    protected nn.Module<Tensor, Tensor> Conv(bool factorize, long cin, long cout, long kernel, long stride, long padding, bool bias = false)
    {
        if (factorize && Spec.Ratio is double ratio)
        {
            int rank = LowRankMath.Rank(ratio, cout, kernel * Math.Min(cin, cout));
            return new FactorizedConv2d(cin, cout, kernel, rank, stride, padding, bias, Spec.Init, InitGenerator);
        }
        return new FullConv2d(cin, cout, kernel, stride, padding, bias);
    }

    /// <summary>
    /// Puts an activation into the layout convolutions run fastest in (<see cref="ConvKernel.ToConvLayout(Tensor)"/>); conv
    /// models call it once, after the stem.
    /// </summary>
    protected static Tensor ConvLayout(Tensor activation) => ConvKernel.ToConvLayout(activation);

    /// <summary>A linear layer that is factorized when <paramref name="factorize"/> and the spec is low-rank.</summary>
    protected nn.Module<Tensor, Tensor> Linear(bool factorize, long inFeatures, long outFeatures)
    {
        if (factorize && Spec.Ratio is double ratio)
            return new FactorizedLinear(inFeatures, outFeatures, LowRankMath.Rank(ratio, outFeatures, Math.Min(inFeatures, outFeatures)), true, Spec.Init, InitGenerator);
        return nn.Linear(inFeatures, outFeatures);
    }

    /// <summary>HeteroFL's scaler on a hidden layer's output (in place while training a scaled width sub-model; a no-op otherwise).</summary>
    protected Tensor Scaled(Tensor hidden) => ActivationScaler.InPlace(hidden, training, Spec.TrainingActivationScale);

    protected nn.Module<Tensor, Tensor> BatchNorm(long channels) =>
        nn.BatchNorm2d(channels, track_running_stats: Spec.TrackRunningStats);

    /// <summary>True when a state name lies under one of the given module prefixes.</summary>
    protected static bool StartsWithAny(string name, IEnumerable<string> prefixes) =>
        prefixes.Any(p => name.StartsWith(p + ".", StringComparison.Ordinal));
}
