using FedLmt.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// The authors' Transformer language model (WikiText-2), built as their code builds it: token and learned positional
/// embeddings (each factorizable), summed, LayerNorm, dropout; 3 post-norm encoder layers (8-head causal self-attention
/// with plain Q/K/V/O projections, a GELU feed-forward of width 2048 whose two linears are factorizable); a decoder
/// (linear E -> E, GELU, LayerNorm, linear E -> vocabulary, both factorizable). E = 128 x width multiplier, rounded to a
/// multiple of the heads. Output: logits [B, T, vocabulary] for input ids [B, T]; the input table has one more row, the
/// mask token (id = vocabulary size).
/// </summary>
/// <remarks>
/// <para>Ranks are round(ratio x min(in, out)), at least 1 (min, unlike the convolutions).</para>
/// <para>decompose_from (P,0) factorizes every part from position P on: 0 the embeddings, 1 - 3 the feed-forward of
/// encoder layer 0 - 2, 4 the decoder; (5,0) nothing. pFedLMT's custom part is every factorized layer and the
/// decoder; attention, LayerNorms and any full-rank prefix are common.</para>
/// <para>Dropout (p 0.1 on the embeddings, inside the feed-forward and on both residual branches) draws from the
/// model's own generator, which the trainer seeds per client and round (<see cref="HybridModel.SeedRandomness"/>), so
/// a run is reproducible and a deployed client trains exactly as its simulation. Attention weights get no dropout:
/// libtorch's fused attention would draw from the process-wide generator.</para>
/// <para>Initialization (model.init): spectral and kaiming_fan_out give the authors' scheme for this model - each
/// feed-forward and decoder linear drawn U(-0.1, 0.1) and each table N(0, 0.1^2), factorized ones as the truncated SVD
/// of such a full weight; attention projections and all biases as PyTorch initializes a Linear. direct draws the factors
/// themselves.</para>
/// </remarks>
public sealed class TransformerLm : HybridModel
{
    public const int EncoderLayers = 3;
    public const int Heads = 8;
    public const int BaseEmbedding = 128;
    public const int BaseFeedForward = 2048;
    public const double DropoutProbability = 0.1;

    /// <summary>The authors' full-weight scale: linears U(-0.1, 0.1).</summary>
    public const double LinearInitRange = 0.1;

    readonly nn.Module<Tensor, Tensor> token_embedding, position_embedding;
    readonly LayerNorm embedding_norm;
    readonly ModuleList<EncoderLayer> layers;
    readonly nn.Module<Tensor, Tensor> decoder_dense;
    readonly LayerNorm decoder_norm;
    readonly nn.Module<Tensor, Tensor> decoder_out;
    readonly SeededDropout _dropout;
    readonly string[] _customPrefixes;

    public TransformerLm(ModelSpec spec, Generator? generator = null) : base(nameof(TransformerLm), spec, generator)
    {
        if (spec.DecomposeFrom.Block != 0)
            throw new ArgumentException($"model.decompose_from {spec.DecomposeFrom} does not name a part of the transformer; use (P,0): " +
                "P = 0 the embeddings, 1 - 3 an encoder layer's feed-forward, 4 the decoder, 5 nothing");
        EmbeddingDim = Heads * Math.Max(1, (int)Math.Round(BaseEmbedding * spec.WidthMultiplier / Heads, MidpointRounding.ToEven));
        FeedForwardDim = spec.Scale(BaseFeedForward);
        _dropout = new SeededDropout(DropoutProbability);
        long e = EmbeddingDim, vocabulary = spec.NumClasses;
        var custom = new List<string>();

        token_embedding = Embedding(Part(0, "token_embedding", custom), vocabulary + 1, e);
        position_embedding = Embedding(Part(0, "position_embedding", custom), spec.SequenceLength, e);
        embedding_norm = nn.LayerNorm(e);
        var encoder = new List<EncoderLayer>();
        for (int i = 0; i < EncoderLayers; i++)
        {
            bool factorize = Part(1 + i, $"layers.{i}.ffn_in", custom) | Part(1 + i, $"layers.{i}.ffn_out", custom);
            encoder.Add(new EncoderLayer(e, Heads, Linear(factorize, e, FeedForwardDim), Linear(factorize, FeedForwardDim, e), _dropout));
        }
        layers = nn.ModuleList(encoder.ToArray());
        bool decoder = Part(4, "decoder_dense", custom) | Part(4, "decoder_out", custom);
        decoder_dense = Linear(decoder, e, e);
        decoder_norm = nn.LayerNorm(e);
        decoder_out = Linear(decoder, e, vocabulary);
        if (spec.IsLowRank) custom.Add("decoder_norm");
        _customPrefixes = [.. custom.Distinct()];
        RegisterComponents();
    }

    /// <summary>The model width E.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The feed-forward width.</summary>
    public int FeedForwardDim { get; }

    /// <summary>Whether position <paramref name="position"/> is factorized; adds <paramref name="name"/> to the custom part when the model is low-rank and it is, or it is the decoder.</summary>
    bool Part(int position, string name, List<string> custom)
    {
        bool factorized = Spec.IsLowRank && Spec.DecomposeFrom.Stage <= position;
        if (factorized || (Spec.IsLowRank && position == 4)) custom.Add(name);
        return factorized;
    }

    int RankOf(long inDim, long outDim) => LowRankMath.Rank(Spec.Ratio!.Value, Math.Min(inDim, outDim), Math.Min(inDim, outDim));

    nn.Module<Tensor, Tensor> Embedding(bool factorize, long rows, long dim) => factorize
        ? new FactorizedEmbedding(rows, dim, RankOf(rows, dim), Spec.Init, InitGenerator)
        : nn.Embedding(rows, dim);

    new nn.Module<Tensor, Tensor> Linear(bool factorize, long inFeatures, long outFeatures) => factorize
        ? new FactorizedLinear(inFeatures, outFeatures, RankOf(inFeatures, outFeatures), true, Spec.Init, InitGenerator)
        : nn.Linear(inFeatures, outFeatures);

    public override bool IsCommon(string name) => !StartsWithAny(name, _customPrefixes);

    public override Tensor ExampleInput(int batch) => torch.zeros(batch, Spec.SequenceLength, dtype: ScalarType.Int64);

    public override void SeedRandomness(long seed) => _dropout.Seed(seed);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dropout.Dispose(); // its generator is native memory; a trainer builds a model per task
        base.Dispose(disposing);
    }

    /// <summary>The authors' scheme (spectral, kaiming_fan_out) or, for direct, PyTorch's default tables, from <paramref name="generator"/>.</summary>
    public override void InitializeWeights(Generator? generator)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool authors = Spec.Init is not FactorInit.Direct;
        foreach (var table in new[] { token_embedding, position_embedding })
        {
            if (table is Embedding full) full.weight!.normal_(0, authors ? FactorizedEmbedding.TableStd : 1, generator);
            else if (authors) ((FactorizedEmbedding)table).Reset(FactorInit.Spectral, generator);
        }
        if (!authors) return;
        var linears = layers.SelectMany(l => new[] { l.ffn_in, l.ffn_out }).Concat([decoder_dense, decoder_out]);
        foreach (var linear in linears)
        {
            switch (linear)
            {
                case Linear full:
                    full.weight!.uniform_(-LinearInitRange, LinearInitRange, generator);
                    break;
                case FactorizedLinear factorized:
                    factorized.LoadFromFull(torch.empty(factorized.OutFeatures, factorized.InFeatures).uniform_(-LinearInitRange, LinearInitRange, generator));
                    break;
            }
        }
    }

    public override Tensor forward(Tensor ids)
    {
        if (ids.dim() != 2 || ids.shape[1] > Spec.SequenceLength)
            throw new ArgumentException($"the transformer takes token ids [batch, positions <= {Spec.SequenceLength}], got ({string.Join(", ", ids.shape)})");
        using var scope = torch.NewDisposeScope();
        // Positions per sample, so a factorized table's projection is counted (and computed) per sample like everything else.
        var positions = torch.arange(ids.shape[1], dtype: ScalarType.Int64).unsqueeze(0).expand(ids.shape[0], ids.shape[1]);
        var x = token_embedding.call(ids).add_(position_embedding.call(positions));
        x = _dropout.Apply(embedding_norm.call(x), training);
        foreach (var layer in layers) x = layer.call(x);
        var hidden = decoder_norm.call(nn.functional.gelu(decoder_dense.call(x)));
        return decoder_out.call(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>One post-norm encoder layer: x = norm(x + drop(attention(x))); x = norm(x + drop(ffn_out(drop(gelu(ffn_in(x)))))).</summary>
    sealed class EncoderLayer : nn.Module<Tensor, Tensor>
    {
        internal readonly CausalSelfAttention attention;
        readonly LayerNorm attention_norm;
        internal readonly nn.Module<Tensor, Tensor> ffn_in, ffn_out;
        readonly LayerNorm ffn_norm;
        readonly SeededDropout _dropout;

        public EncoderLayer(long dim, int heads, nn.Module<Tensor, Tensor> ffnIn, nn.Module<Tensor, Tensor> ffnOut, SeededDropout dropout)
            : base(nameof(EncoderLayer))
        {
            attention = new CausalSelfAttention(dim, heads);
            attention_norm = nn.LayerNorm(dim);
            ffn_in = ffnIn;
            ffn_out = ffnOut;
            ffn_norm = nn.LayerNorm(dim);
            _dropout = dropout;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var a = attention_norm.call(x + _dropout.Apply(attention.call(x), training));
            var inner = _dropout.Apply(nn.functional.gelu(ffn_in.call(a)), training);
            return ffn_norm.call(a + _dropout.Apply(ffn_out.call(inner), training)).MoveToOuterDisposeScope();
        }
    }
}

/// <summary>
/// Multi-head self-attention in which no position sees a later one: Q, K, V projections (plain linears with bias),
/// scaled dot-product attention under the causal mask, and the output projection O.
/// </summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    readonly Linear q, k, v, o;

    public CausalSelfAttention(long dim, int heads) : base(nameof(CausalSelfAttention))
    {
        if (dim % heads != 0) throw new ArgumentException($"attention width {dim} is not a multiple of its {heads} heads");
        Dim = dim;
        HeadCount = heads;
        q = nn.Linear(dim, dim);
        k = nn.Linear(dim, dim);
        v = nn.Linear(dim, dim);
        o = nn.Linear(dim, dim);
        RegisterComponents();
    }

    public long Dim { get; }
    public int HeadCount { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long batch = x.shape[0], positions = x.shape[1], headDim = Dim / HeadCount;
        Tensor Heads(Linear projection) => projection.call(x).view(batch, positions, HeadCount, headDim).transpose(1, 2);
        var mixed = nn.functional.scaled_dot_product_attention(Heads(q), Heads(k), Heads(v), is_casual: true);
        return o.call(mixed.transpose(1, 2).reshape(batch, positions, Dim)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Multiply-accumulates of the attention itself per sample (the projections are counted as linears): scores Q K^T
    /// and the mix of values, T x T x E each, computed in full as the kernels do, mask or not.
    /// </summary>
    public long AttentionMacsPerSample(long[] outputShape) => 2 * outputShape[1] * outputShape[1] * Dim;
}

/// <summary>
/// Inverted dropout whose masks come from a generator of its own (seeded per training task), not the process-wide one,
/// so training is reproducible whatever else runs in the process. Unseeded it uses libtorch's global generator.
/// </summary>
public sealed class SeededDropout(double probability) : IDisposable
{
    Generator? _generator;

    public double Probability { get; } = probability;

    /// <summary>Restarts the masks from <paramref name="seed"/>.</summary>
    public void Seed(long seed)
    {
        _generator?.Dispose();
        _generator = new Generator((ulong)seed);
    }

    /// <summary>x with each element zeroed with <see cref="Probability"/> and the rest scaled by 1 / (1 - p) while training; x itself otherwise.</summary>
    public Tensor Apply(Tensor x, bool training)
    {
        if (!training || Probability <= 0) return x;
        var keep = torch.empty_like(x).bernoulli_(1 - Probability, _generator).div_(1 - Probability);
        return x * keep;
    }

    public void Dispose()
    {
        _generator?.Dispose();
        _generator = null;
    }
}
