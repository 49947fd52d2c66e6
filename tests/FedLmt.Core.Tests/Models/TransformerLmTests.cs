using FedLmt.Cost;
using FedLmt.Layers;
using FedLmt.Models;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Models;

public class TransformerLmTests
{
    // vocabulary 50, 8 positions, width 0.25: E = 32, feed-forward 512 (small enough to test in milliseconds).
    static readonly ModelSpec Full = new() { Architecture = "transformer", NumClasses = 50, SequenceLength = 8, WidthMultiplier = 0.25 };

    static Tensor Ids(long seed, int batch = 3) => torch.randint(0, 51, [batch, 8], dtype: ScalarType.Int64, generator: new Generator((ulong)seed));

    [Fact]
    public void Factorized_embedding_looks_up_rows_of_u_and_projects_them_by_v()
    {
        using var scope = torch.NewDisposeScope();
        var table = new FactorizedEmbedding(10, 6, rank: 3);
        var ids = torch.tensor(new long[] { 4, 0, 9, 4 }).reshape(2, 2);
        var expected = table.RecoverWeight().index_select(0, ids.reshape(-1)).reshape(2, 2, 6);
        TensorAssert.Close(expected, table.forward(ids), 1e-5);
    }

    [Fact]
    public void Factorized_embedding_at_full_rank_reproduces_the_table()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.randn(9, 5, generator: new Generator(3));
        var table = new FactorizedEmbedding(9, 5, rank: 5);
        table.LoadFromFull(w);
        Assert.True(TensorAssert.RelativeError(table.RecoverWeight(), w) < 1e-5);
    }

    [Fact]
    public void Shapes_and_widths_follow_the_spec()
    {
        using var model = (TransformerLm)ModelFactory.Create(Full, seed: 1);
        Assert.Equal(32, model.EmbeddingDim);
        Assert.Equal(512, model.FeedForwardDim);
        using var scope = torch.NewDisposeScope();
        model.eval();
        Assert.Equal(new long[] { 3, 8, 50 }, model.forward(Ids(1)).shape);
    }

    [Fact]
    public void Ranks_are_ratio_times_the_smaller_dimension()
    {
        using var model = ModelFactory.Create(Full with { Ratio = 0.25 }, seed: 1);
        var ranks = LowRankConversion.FactorizedLayers(model).ToDictionary(p => p.Key, p => p.Value.Rank);
        Assert.Equal(8, ranks["token_embedding"]);      // min(51, 32) = 32 -> 8
        Assert.Equal(2, ranks["position_embedding"]);   // min(8, 32) = 8 -> 2
        Assert.Equal(8, ranks["layers.0.ffn_in"]);      // min(32, 512) = 32 -> 8
        Assert.Equal(8, ranks["decoder_out"]);          // min(32, 50) = 32 -> 8
        Assert.Equal(2 + 3 * 2 + 2, ranks.Count);
        Assert.DoesNotContain(ranks.Keys, k => k.Contains("attention"));
    }

    [Fact]
    public void Parameters_and_macs_match_the_hand_count()
    {
        // Worked out by hand for vocabulary 50, T 8, E 32, F 512 (see the comments for each part).
        using var full = ModelFactory.Create(Full, seed: 1);
        var fullCost = ModelCost.Measure(full);
        // tables 51x32 + 8x32; norms 2E each (1 + 3x2 + 1); per layer: attention 4(E^2 + E), ffn (EF + F) + (FE + E); decoder (E^2 + E) + (EV + V)
        Assert.Equal(1632 + 256 + 64 + 3 * (4224 + 128 + 16896 + 16416) + 1056 + 64 + 1650, fullCost.Parameters);
        // per layer: projections 4 T E^2 + attention 2 T^2 E + ffn 2 T E F; decoder T E^2 + T E V; look-ups none
        Assert.Equal(3 * (32768 + 4096 + 262144) + 8192 + 12800, fullCost.MacsPerSample);

        using var lowRank = ModelFactory.Create(Full with { Ratio = 0.25 }, seed: 1);
        var lowCost = ModelCost.Measure(lowRank);
        Assert.Equal(664 + 80 + 64 + 3 * (4224 + 128 + 4864 + 4384) + 544 + 64 + 706, lowCost.Parameters);
        // tables' projections T r E; ffn T r (E + F) each; decoder T r (E + E) and T r (E + V)
        Assert.Equal(2048 + 512 + 3 * (36864 + 34816 + 34816) + 4096 + 5248, lowCost.MacsPerSample);
    }

    [Fact]
    public void Decompose_at_full_rank_then_recover_gives_the_same_model()
    {
        using var scope = torch.NewDisposeScope();
        using var full = ModelFactory.Create(Full, seed: 2);
        using var lowRank = LowRankConversion.Decompose(full, ratio: 1.0, HybridStart.All);
        using var recovered = LowRankConversion.Recover(lowRank);
        full.eval();
        lowRank.eval();
        recovered.eval();
        var ids = Ids(5);
        var expected = full.forward(ids);
        Assert.True(TensorAssert.RelativeError(lowRank.forward(ids), expected) < 1e-4);
        Assert.True(TensorAssert.RelativeError(recovered.forward(ids), expected) < 1e-4);
    }

    [Fact]
    public void No_position_sees_a_later_one()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(Full with { Ratio = 0.5 }, seed: 3);
        model.eval();
        var ids = Ids(7, batch: 1);
        var before = model.forward(ids);
        for (int t = 0; t < 8; t++)
        {
            var changed = ids.clone();
            changed[0, t] = torch.tensor((ids[0, t].item<long>() + 1) % 51);
            var after = model.forward(changed);
            var earlier = (after - before)[0, ..t].abs();
            Assert.True(t == 0 || earlier.max().item<float>() == 0, $"a change at position {t} reached an earlier position");
            Assert.True((after - before)[0, t].abs().max().item<float>() > 1e-4, $"a change at position {t} did not reach its own position");
        }
    }

    [Fact]
    public void Dropout_draws_from_the_seeded_generator()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(Full with { Ratio = 0.5 }, seed: 4);
        model.train();
        var ids = Ids(9);
        model.SeedRandomness(11);
        var first = model.forward(ids);
        torch.manual_seed(12345); // the global generator must not matter
        model.SeedRandomness(11);
        var again = model.forward(ids);
        model.SeedRandomness(12);
        var other = model.forward(ids);
        Assert.Equal(0, (first - again).abs().max().item<float>());
        Assert.True((first - other).abs().max().item<float>() > 1e-3);
        model.eval();
        Assert.Equal(0, (model.forward(ids) - model.forward(ids)).abs().max().item<float>());
    }

    [Fact]
    public void The_custom_part_is_the_factorized_layers_and_the_decoder()
    {
        using var hybrid = ModelFactory.Create(Full with { Ratio = 0.25, DecomposeFrom = new HybridStart(2, 0) }, seed: 1);
        var names = hybrid.state_dict().Keys.ToList();
        Assert.Contains("layers.0.ffn_in.weight", names); // before the start: full rank and common
        Assert.True(hybrid.IsCommon("layers.0.ffn_in.weight"));
        Assert.True(hybrid.IsCommon("token_embedding.weight"));
        Assert.True(hybrid.IsCommon("layers.2.attention.q.weight"));
        Assert.False(hybrid.IsCommon("layers.1.ffn_in.u"));
        Assert.False(hybrid.IsCommon("decoder_out.u"));
        Assert.False(hybrid.IsCommon("decoder_norm.weight"));
        using var fullModel = ModelFactory.Create(Full, seed: 1);
        Assert.All(fullModel.state_dict().Keys, name => Assert.True(fullModel.IsCommon(name)));
    }

    [Fact]
    public void The_authors_init_draws_linears_uniform_and_tables_normal_at_scale_0_1()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(Full with { WidthMultiplier = 1 }, seed: 5);
        var state = model.state_dict();
        var ffn = state["layers.0.ffn_in.weight"];
        Assert.InRange(ffn.max().item<float>(), 0.099, 0.1);
        Assert.InRange(ffn.min().item<float>(), -0.1, -0.099);
        Assert.InRange(state["token_embedding.weight"].std().item<float>(), 0.097, 0.103);
    }

    [Fact]
    public void A_decompose_start_inside_a_layer_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Create(Full with { Ratio = 0.2, DecomposeFrom = new HybridStart(1, 1) }));
        Assert.Contains("model.decompose_from (1,1)", e.Message);
    }
}
