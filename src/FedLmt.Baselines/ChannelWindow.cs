namespace FedLmt.Baselines;

/// <summary>
/// Which channels of a layer a width sub-model holds: a window of ceil(w x C) consecutive channels starting at an
/// offset and wrapping around. HeteroFL's window starts at 0; FedRolex's at (round mod C), the same rule for every
/// layer and every client of a round.
/// </summary>
public sealed class ChannelWindow
{
    readonly Func<long, long> _offset;

    ChannelWindow(string description, Func<long, long> offset)
    {
        Description = description;
        _offset = offset;
    }

    /// <summary>HeteroFL: the first channels of every layer.</summary>
    public static ChannelWindow Prefix { get; } = new("prefix", _ => 0);

    /// <summary>FedRolex: in round <paramref name="round"/> (0-based) the window of a C-channel layer starts at round mod C.</summary>
    public static ChannelWindow Rolling(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        return new ChannelWindow($"rolling (round {round})", channels => round % channels);
    }

    public string Description { get; }

    /// <summary>Where the window of a layer with <paramref name="channels"/> channels starts.</summary>
    public long Offset(long channels) => _offset(channels);

    /// <summary>The <paramref name="kept"/> channel indices of a <paramref name="channels"/>-channel layer, in window order.</summary>
    public long[] Indices(long channels, long kept)
    {
        if (channels < 1 || kept < 1 || kept > channels)
            throw new ArgumentOutOfRangeException(nameof(kept), kept, $"a window keeps 1..{channels} of {channels} channels");
        long start = Offset(channels);
        var indices = new long[kept];
        for (long j = 0; j < kept; j++) indices[j] = (start + j) % channels;
        return indices;
    }

    public override string ToString() => Description;
}
