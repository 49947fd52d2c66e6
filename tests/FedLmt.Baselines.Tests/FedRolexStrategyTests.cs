using static FedLmt.Baselines.Tests.BaselineTestKit;

namespace FedLmt.Baselines.Tests;

public class FedRolexStrategyTests
{
    [Fact]
    public void The_window_a_client_trains_rolls_one_channel_per_round_and_wraps_around()
    {
        var strategy = new FedRolexStrategy(Options(TinyMlp, Full, HalfWidth));
        SetGlobalToRowMajorCounts(strategy);
        // Global fc1.weight rows are [0,1,2] [3,4,5] [6,7,8] [9,10,11]; fc2.weight [[0,1,2,3],[4,5,6,7]]; fc3.weight [[0,1],[2,3]].
        // fc1 has 4 channels (2 kept), fc2 has 2 (1 kept): round t keeps fc1 rows t, t+1 (mod 4) and fc2 row t mod 2.
        float[][] fc1 = [[0, 1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8], [6, 7, 8, 9, 10, 11], [9, 10, 11, 0, 1, 2], [0, 1, 2, 3, 4, 5]];
        float[][] fc2 = [[0, 1], [5, 6], [2, 3], [7, 4], [0, 1]];
        float[][] fc3 = [[0, 2], [1, 3], [0, 2], [1, 3], [0, 2]];
        for (int round = 0; round < 5; round++)
        {
            var instructions = strategy.ConfigureTrain(round, [1]);
            var p = instructions[0].Parameters;
            Assert.Equal(fc1[round], Values(p["fc1.weight"]));
            Assert.Equal(fc2[round], Values(p["fc2.weight"]));
            Assert.Equal(fc3[round], Values(p["fc3.weight"]));
            DisposeAll(instructions);
        }
    }

    [Fact]
    public void Replies_are_folded_back_at_the_rounds_window()
    {
        var strategy = new FedRolexStrategy(Options(TinyMlp, HalfWidth));
        SetGlobalToRowMajorCounts(strategy);
        var instructions = strategy.ConfigureTrain(3, [0]);
        using var reply = ConstantReply(0, instructions[0].Parameters, -1f, examples: 2);

        strategy.AggregateTrain(3, [reply], []);

        // Round 3 held fc1 rows 3 and 0, fc2 row 1 with inputs 3 and 0, fc3 column 1.
        var g = strategy.GlobalParameters;
        Assert.Equal([-1f, -1, -1, 3, 4, 5, 6, 7, 8, -1, -1, -1], Values(g["fc1.weight"]));
        Assert.Equal([-1f, 1, 2, -1], Values(g["fc1.bias"]));
        Assert.Equal([0f, 1, 2, 3, -1, 5, 6, -1], Values(g["fc2.weight"]));
        Assert.Equal([0f, -1, 2, -1], Values(g["fc3.weight"]));
        DisposeAll(instructions);
    }

    [Fact]
    public void All_clients_of_a_round_share_the_window()
    {
        var strategy = new FedRolexStrategy(Options(TinyMlp, HalfWidth, HalfWidth, QuarterWidth));
        SetGlobalToRowMajorCounts(strategy);
        var instructions = strategy.ConfigureTrain(2, [0, 1, 2]);
        Assert.Equal(Values(instructions[0].Parameters["fc1.weight"]), Values(instructions[1].Parameters["fc1.weight"]));
        // The quarter-rate client holds the first channel of the same window: fc1 row 2.
        Assert.Equal([6f, 7, 8], Values(instructions[2].Parameters["fc1.weight"]));
        DisposeAll(instructions);
    }
}
