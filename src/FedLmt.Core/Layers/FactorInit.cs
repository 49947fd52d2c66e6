namespace FedLmt.Layers;

/// <summary>How the weights of a new model are initialized (METHOD.md section 2); config key model.init.</summary>
public enum FactorInit
{
    /// <summary>Initialize a full layer as PyTorch does, then decompose it (the default).</summary>
    Spectral,

    /// <summary>Kaiming-uniform initialization of each factor on its own, as PyTorch initializes a conv or linear of its shape.</summary>
    Direct,

    /// <summary>
    /// The authors' ResNet scheme: every conv weight, full or factor, drawn Kaiming-normal with fan_out and ReLU gain -
    /// N(0, 2 / fan_out), fan_out = output channels x kernel area of that conv; BatchNorm weight 1, bias 0; linear layers
    /// (factorized ones spectrally) and conv biases as PyTorch initializes them.
    /// </summary>
    KaimingFanOut,
}

/// <summary>The config names of <see cref="FactorInit"/>.</summary>
public static class FactorInits
{
    /// <summary>Every name, in the order of the enum.</summary>
    public static IReadOnlyList<string> Names => AllNames;

    static readonly string[] AllNames = ["spectral", "direct", "kaiming_fan_out"];

    /// <summary>The config name of <paramref name="init"/>.</summary>
    public static string Name(FactorInit init) => Names[(int)init];

    /// <summary>The init a config name means; refuses an unknown one, naming the key and the allowed values.</summary>
    public static FactorInit Parse(string name) => Array.IndexOf(AllNames, name) is int i and >= 0
        ? (FactorInit)i
        : throw new ArgumentException($"model.init '{name}' is unknown; allowed: {string.Join(", ", AllNames)}");
}
