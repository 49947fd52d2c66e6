namespace FedLmt.Baselines.Tests;

public class ChannelWindowTests
{
    [Fact]
    public void HeteroFL_keeps_the_first_channels_in_every_round()
    {
        Assert.Equal([0L, 1, 2], ChannelWindow.Prefix.Indices(8, 3));
        Assert.Equal([0L], ChannelWindow.Prefix.Indices(1, 1));
    }

    [Fact]
    public void FedRolex_starts_at_round_mod_channels_and_wraps_around()
    {
        // A 4-channel layer at rate 1/2 keeps 2 channels: the window slides one place per round and wraps after 4.
        long[][] expected = [[0, 1], [1, 2], [2, 3], [3, 0], [0, 1], [1, 2]];
        for (int round = 0; round < expected.Length; round++)
            Assert.Equal(expected[round], ChannelWindow.Rolling(round).Indices(4, 2));
        // Layers of different widths wrap at their own width: a 6-channel layer keeping 3 in round 5 holds 5, 0, 1.
        Assert.Equal([5L, 0, 1], ChannelWindow.Rolling(5).Indices(6, 3));
        Assert.Equal([3L, 4, 5, 0, 1, 2], ChannelWindow.Rolling(9).Indices(6, 6));
    }

    [Fact]
    public void A_window_wider_than_the_layer_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelWindow.Prefix.Indices(4, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelWindow.Rolling(-1));
    }
}
