namespace FedLmt.Models;

/// <summary>
/// Where factorization begins in a hybrid model: blocks at (stage, block) and after are low-rank, those before stay
/// full-rank. (0, 0) factorizes everything that can be; a stage past the last factorizes nothing.
/// </summary>
public readonly record struct HybridStart(int Stage, int Block) : IComparable<HybridStart>
{
    /// <summary>Factorize every block.</summary>
    public static HybridStart All => new(0, 0);

    public int CompareTo(HybridStart other) => Stage != other.Stage ? Stage.CompareTo(other.Stage) : Block.CompareTo(other.Block);

    /// <summary>Whether the block at (stage, block) is factorized.</summary>
    public bool Factorizes(int stage, int block) => new HybridStart(stage, block).CompareTo(this) >= 0;

    /// <summary>Parses "(2,1)", "2,1" or "2.1".</summary>
    public static HybridStart Parse(string text)
    {
        var parts = text.Trim().Trim('(', ')', '[', ']').Split([',', '.', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out int s) || !int.TryParse(parts[1], out int b) || s < 0 || b < 0)
            throw new FormatException($"'{text}' is not a hybrid start point; expected two non-negative integers like (2,1)");
        return new HybridStart(s, b);
    }

    public override string ToString() => $"({Stage},{Block})";
}
