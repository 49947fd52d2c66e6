namespace FedLmt.Layers;

/// <summary>How the factors of a new factorized layer are initialized (METHOD.md section 2).</summary>
public enum FactorInit
{
    /// <summary>Initialize a full layer as usual, then decompose it (the default).</summary>
    Spectral,

    /// <summary>Kaiming-uniform initialization of each factor on its own.</summary>
    Direct,
}
