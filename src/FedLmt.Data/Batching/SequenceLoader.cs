using System.Runtime.InteropServices;
using FedLmt.Federated;
using TorchSharp;

namespace FedLmt.Data;

/// <summary>What a language model learns to predict from a window (config key text.objective).</summary>
public enum TextObjective
{
    /// <summary>
    /// The authors' task: each input token is replaced by the mask token (id = vocabulary size) with probability
    /// <see cref="TextTask.MaskProbability"/>, and the model predicts the original token at every position.
    /// </summary>
    MaskedTokens,

    /// <summary>Causal language modelling: the model predicts the next token at every position.</summary>
    NextToken,
}

/// <summary>How windows of a <see cref="TokenSequences"/> become inputs and targets.</summary>
public sealed record TextTask(TextObjective Objective = TextObjective.MaskedTokens, double MaskProbability = 0.15)
{
    /// <summary>The config names of <see cref="TextObjective"/>, in enum order.</summary>
    public static IReadOnlyList<string> ObjectiveNames { get; } = ["masked", "next_token"];

    /// <summary>The objective a config name means; refuses an unknown one, naming the key and the allowed values.</summary>
    public static TextObjective ParseObjective(string name) => ObjectiveNames.ToList().IndexOf(name) is int i and >= 0
        ? (TextObjective)i
        : throw new ArgumentException($"text.objective '{name}' is unknown; allowed: {string.Join(", ", ObjectiveNames)}");

    /// <summary>Refuses a mask probability outside [0, 1), naming the key.</summary>
    public TextTask Validate()
    {
        Check.Require(MaskProbability >= 0 && MaskProbability < 1, "text.mask_probability", MaskProbability, "a number in [0, 1)");
        return this;
    }
}

/// <summary>
/// Turns windows of a <see cref="TokenSequences"/> into batches: X int64 [B, T] (the input), Y int64 [B, T] (the token
/// to predict at each position), as <see cref="TextTask"/> says.
/// </summary>
/// <remarks>
/// <see cref="Epoch"/> shuffles the windows and draws the masks from one generator seeded by its argument alone, so a
/// seed gives the same batches anywhere. <see cref="InOrder"/> masks each window with a generator seeded by the window's
/// own tokens, so a test window is corrupted the same way in every evaluation and wherever it is read - a deployed
/// client's compact copy of its windows included.
/// </remarks>
public sealed class SequenceLoader
{
    /// <summary>The seed test masks start from; each window folds its tokens into it (<see cref="TestMaskSeedOf"/>).</summary>
    public const long TestMaskSeed = 0x7E57_3A5C;

    /// <summary>The seed of a test window's mask: <see cref="TestMaskSeed"/> with each token folded in by SplitMix64.</summary>
    public static long TestMaskSeedOf(ReadOnlySpan<int> window)
    {
        var seed = TestMaskSeed;
        foreach (var token in window) seed = SplitMix64.Derive(seed, token);
        return seed;
    }

    private readonly int[] _indices;

    public SequenceLoader(TokenSequences dataset, IReadOnlyList<int> indices, int batchSize, TextTask task)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _indices = [.. indices];
        foreach (var index in _indices)
        {
            if ((uint)index >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Window index {index} is outside dataset '{dataset.Name}' (0..{dataset.Count - 1}).");
        }
        Dataset = dataset;
        BatchSize = batchSize;
        Task = task.Validate();
    }

    public TokenSequences Dataset { get; }
    public int BatchSize { get; }
    public TextTask Task { get; }

    /// <summary>The mask token's id: one past the vocabulary (the model's input embedding has a row for it).</summary>
    public int MaskId => Dataset.Vocabulary.Count;

    /// <summary>One training epoch: windows shuffled by a generator seeded with <paramref name="seed"/>, which also draws the masks.</summary>
    public IEnumerable<Batch> Epoch(long seed)
    {
        var random = new SeededRandom(seed);
        var order = (int[])_indices.Clone();
        random.Shuffle(order.AsSpan());
        for (var start = 0; start < order.Length; start += BatchSize)
            yield return MakeBatch(order.AsSpan(start, Math.Min(BatchSize, order.Length - start)), random);
    }

    /// <summary>Every window in its given order; each window's mask drawn from its own tokens (for evaluation).</summary>
    public IEnumerable<Batch> InOrder()
    {
        for (var start = 0; start < _indices.Length; start += BatchSize)
            yield return MakeBatch(_indices.AsSpan(start, Math.Min(BatchSize, _indices.Length - start)), random: null);
    }

    private Batch MakeBatch(ReadOnlySpan<int> windows, SeededRandom? random)
    {
        var length = Dataset.SequenceLength;
        var x = torch.empty([windows.Length, length], torch.int64);
        var y = torch.empty([windows.Length, length], torch.int64);
        try
        {
            var inputs = MemoryMarshal.Cast<byte, long>(x.bytes);
            var targets = MemoryMarshal.Cast<byte, long>(y.bytes);
            for (var i = 0; i < windows.Length; i++)
            {
                var window = Dataset.Window(windows[i]);
                var input = inputs.Slice(i * length, length);
                var target = targets.Slice(i * length, length);
                for (var t = 0; t < length; t++) input[t] = window[t];
                if (Task.Objective == TextObjective.NextToken)
                {
                    for (var t = 0; t < length; t++) target[t] = window[t + 1];
                    continue;
                }
                input.CopyTo(target);
                if (Task.MaskProbability <= 0) continue;
                var draw = random ?? new SeededRandom(TestMaskSeedOf(window));
                for (var t = 0; t < length; t++)
                {
                    if (draw.NextDouble() < Task.MaskProbability) input[t] = MaskId;
                }
            }
            return new Batch(x, y);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            throw;
        }
    }
}
