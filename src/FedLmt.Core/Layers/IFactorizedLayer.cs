using static TorchSharp.torch;

namespace FedLmt.Layers;

/// <summary>A layer whose weight is held as factors U V^T (as matrices, in the layout of METHOD.md section 2).</summary>
public interface IFactorizedLayer
{
    /// <summary>The rank r of the factorization.</summary>
    int Rank { get; }

    /// <summary>The largest useful rank: min(m, n) of the weight matrix.</summary>
    long FullRank { get; }

    /// <summary>U as an m x r matrix (a view or copy of the parameter that keeps gradients flowing).</summary>
    Tensor UMatrix();

    /// <summary>V as an n x r matrix.</summary>
    Tensor VMatrix();

    /// <summary>The full weight U V^T in the shape of the unfactorized layer's weight.</summary>
    Tensor RecoverWeight();

    /// <summary>Sets the factors to the rank-r truncated SVD of a full weight of the unfactorized layer's shape.</summary>
    void LoadFromFull(Tensor fullWeight);

    /// <summary>Re-initializes the factors (and bias) from <paramref name="generator"/>, or libtorch's global one when null.</summary>
    void Reset(FactorInit init, Generator? generator = null);

    /// <summary>Multiply-accumulates of one forward pass for one sample, given the input and output shapes of a batch.</summary>
    long MacsPerSample(long[] inputShape, long[] outputShape);
}
