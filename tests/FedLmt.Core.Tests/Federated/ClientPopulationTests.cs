using FedLmt.Cost;
using FedLmt.Federated;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;

namespace FedLmt.Core.Tests.Federated;

public class ClientPopulationTests
{
    static readonly ResourceTier[] Thirds = [new("a", 1.0 / 3), new("b", 1.0 / 3), new("c", 1.0 / 3)];

    [Fact]
    public void Tiers_get_round_share_times_n_clients_with_the_largest_remainders_filling_up()
    {
        var population = ClientPopulation.Assign(Thirds, 10, seed: 1);
        var counts = population.Clients.GroupBy(c => population.TierOf(c).Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts["a"]); // three remainders of 1/3 tie; the earlier tier takes the spare client
        Assert.Equal(3, counts["b"]);
        Assert.Equal(3, counts["c"]);
    }

    [Fact]
    public void The_same_seed_assigns_the_same_tiers_and_another_seed_shuffles_them()
    {
        string[] Names(long seed)
        {
            var p = ClientPopulation.Assign(Thirds, 30, seed);
            return p.Clients.Select(c => p.TierOf(c).Name).ToArray();
        }
        Assert.Equal(Names(5), Names(5));
        Assert.NotEqual(Names(5), Names(6));
    }

    [Fact]
    public void Shares_that_do_not_sum_to_one_are_refused()
    {
        ResourceTier[] bad = [new("a", 0.5), new("b", 0.3)];
        Assert.Contains("shares", Assert.Throws<ArgumentException>(() => ClientPopulation.Assign(bad, 10, 1)).Message);
    }

    [Fact]
    public void A_tier_affords_a_model_within_its_macs_and_params_budgets()
    {
        var full = new ModelCost(Parameters: 1000, BufferElements: 0, PayloadBytes: 4000, MacsPerSample: 2000);
        var tier = new ResourceTier("t", 1, MacsBudget: 0.5, ParamsBudget: 0.25);
        Assert.True(tier.Affords(new ModelCost(250, 0, 0, 1000), full));
        Assert.False(tier.Affords(new ModelCost(251, 0, 0, 1000), full));
        Assert.False(tier.Affords(new ModelCost(250, 0, 0, 1001), full));
        Assert.True(new ResourceTier("macs only", 1, MacsBudget: 0.5).Affords(new ModelCost(1000, 0, 0, 1000), full));
    }

    [Fact]
    public void Ratio_search_finds_the_largest_ratio_the_weakest_tier_affords()
    {
        // Tiny MLP 16-32-16-4: params 48 (r1 + r2) + 116 and MACs 48 (r1 + r2) + 64 with r1 = round(32 x ratio),
        // r2 = round(16 x ratio); full model 1140 params, 1088 MACs. Half of each allows r1 + r2 <= 9:
        // ratio 0.20 gives 6 + 3 = 9, ratio 0.21 gives 7 + 3 = 10.
        var costs = new ModelCostCatalog();
        Assert.Equal(1140, costs.Of(SyntheticProblem.Mlp()).Parameters);
        Assert.Equal(1088, costs.Of(SyntheticProblem.Mlp()).MacsPerSample);
        Assert.Equal(48 * 9 + 116, costs.Of(SyntheticProblem.Mlp(0.2)).Parameters);

        double ratio = RatioSearch.LargestAffordable(SyntheticProblem.Mlp(), [Strong, Weak], costs);
        Assert.Equal(0.2, ratio, 12);
    }

    [Fact]
    public void Ratio_search_gives_up_with_a_message_when_even_the_smallest_ratio_is_too_big()
    {
        var tiny = new ResourceTier("tiny", 1, ParamsBudget: 0.05);
        var e = Assert.Throws<InvalidOperationException>(() => RatioSearch.LargestAffordable(SyntheticProblem.Mlp(), [tiny], new ModelCostCatalog()));
        Assert.Contains("tiny", e.Message);
    }

    [Fact]
    public void Ensure_affords_names_the_client_tier_and_costs_when_a_model_is_over_budget()
    {
        var population = new ClientPopulation([Strong, Weak]);
        var costs = new ModelCostCatalog();
        population.EnsureAffords(0, SyntheticProblem.Mlp(), costs);
        population.EnsureAffords(1, SyntheticProblem.Mlp(0.2), costs);
        var e = Assert.Throws<InvalidOperationException>(() => population.EnsureAffords(1, SyntheticProblem.Mlp(0.21), costs));
        Assert.Contains("client 1", e.Message);
        Assert.Contains("'weak'", e.Message);
        Assert.Contains("596 parameters", e.Message); // 48 x (7 + 3) + 116, over the 570 allowed
    }
}
