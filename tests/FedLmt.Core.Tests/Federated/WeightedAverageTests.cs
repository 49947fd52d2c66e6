using FedLmt.Federated;
using TorchSharp;
using static FedLmt.Core.Tests.Federated.FederatedTestKit;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

public class WeightedAverageTests
{
    static NamedTensors Map(params (string Name, Tensor Value)[] entries) =>
        NamedTensors.Own(entries.Select(e => KeyValuePair.Create(e.Name, e.Value)));

    static List<(IReadOnlyDictionary<string, Tensor>, long)> Updates(params (NamedTensors State, long Weight)[] updates) =>
        updates.Select(u => ((IReadOnlyDictionary<string, Tensor>)u.State, u.Weight)).ToList();

    [Fact]
    public void Three_clients_with_one_two_and_three_examples_average_to_the_hand_computed_values()
    {
        using var target = Map(("w", torch.zeros(2, 2)), ("b", torch.zeros(3)));
        using var a = Map(("w", torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2)), ("b", torch.tensor(new float[] { 6, 0, -6 })));
        using var b = Map(("w", torch.tensor(new float[] { 4, 5, 6, 7 }).reshape(2, 2)), ("b", torch.tensor(new float[] { 0, 6, 12 })));
        using var c = Map(("w", torch.tensor(new float[] { 7, 8, 9, 10 }).reshape(2, 2)), ("b", torch.tensor(new float[] { 2, 2, 2 })));

        Assert.True(WeightedAverage.Into(target, Updates((a, 1), (b, 2), (c, 3))));

        // w: (1*1 + 2*4 + 3*7)/6 = 30/6 = 5, then each entry +1 in all three clients: 6, 7, 8.
        Assert.Equal(new float[] { 5, 6, 7, 8 }, Values(target["w"]), new FloatTolerance(1e-6f));
        // b: (6 + 0 + 6)/6 = 2; (0 + 12 + 6)/6 = 3; (-6 + 24 + 6)/6 = 4.
        Assert.Equal(new float[] { 2, 3, 4 }, Values(target["b"]), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Integer_entries_are_averaged_and_rounded()
    {
        using var target = Map(("n", torch.zeros(1, dtype: ScalarType.Int64)));
        using var a = Map(("n", torch.tensor(new long[] { 10 })));
        using var b = Map(("n", torch.tensor(new long[] { 13 })));
        WeightedAverage.Into(target, Updates((a, 1), (b, 2))); // (10 + 26) / 3 = 12
        Assert.Equal(12L, target["n"].item<long>());
    }

    [Fact]
    public void Entries_the_filter_rejects_are_left_alone_and_extra_update_entries_are_ignored()
    {
        using var target = Map(("keep", torch.full(2, 9f)), ("avg", torch.zeros(2)));
        using var a = Map(("keep", torch.zeros(2)), ("avg", torch.full(2, 2f)), ("extra", torch.ones(5)));
        WeightedAverage.Into(target, Updates((a, 4)), name => name == "avg");
        Assert.Equal(new float[] { 9, 9 }, Values(target["keep"]));
        Assert.Equal(new float[] { 2, 2 }, Values(target["avg"]));
    }

    [Fact]
    public void No_updates_or_zero_total_weight_change_nothing()
    {
        using var target = Map(("w", torch.full(3, 5f)));
        using var a = Map(("w", torch.zeros(3)));
        Assert.False(WeightedAverage.Into(target, Updates()));
        Assert.False(WeightedAverage.Into(target, Updates((a, 0))));
        Assert.Equal(new float[] { 5, 5, 5 }, Values(target["w"]));
    }

    [Fact]
    public void A_missing_or_misshapen_entry_or_a_negative_weight_is_refused_by_name()
    {
        using var target = Map(("w", torch.zeros(3)));
        using var missing = Map(("v", torch.zeros(3)));
        using var misshapen = Map(("w", torch.zeros(4)));
        using var fine = Map(("w", torch.zeros(3)));
        Assert.Contains("'w'", Assert.Throws<ArgumentException>(() => WeightedAverage.Into(target, Updates((missing, 1)))).Message);
        Assert.Contains("'w'", Assert.Throws<ArgumentException>(() => WeightedAverage.Into(target, Updates((misshapen, 1)))).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => WeightedAverage.Into(target, Updates((fine, -1)))).Message);
    }

    [Fact]
    public void Averaging_a_large_random_tensor_matches_the_formula_in_float64()
    {
        var g = new Generator(3);
        using var target = Map(("w", torch.zeros(600_001)));
        using var a = Map(("w", torch.randn(600_001, generator: g)));
        using var b = Map(("w", torch.randn(600_001, generator: g)));
        WeightedAverage.Into(target, Updates((a, 3), (b, 5)));
        using var expected = (a["w"].to(ScalarType.Float64) * 3 + b["w"].to(ScalarType.Float64) * 5) / 8;
        Assert.True(target["w"].to(ScalarType.Float64).allclose(expected, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void Example_weighted_metric_skips_replies_without_it()
    {
        var replies = new (IReadOnlyDictionary<string, double>, long)[]
        {
            (new Dictionary<string, double> { ["loss"] = 1.0 }, 1),
            (new Dictionary<string, double> { ["loss"] = 4.0 }, 3),
            (new Dictionary<string, double>(), 100),
        };
        Assert.Equal((1.0 + 12.0) / 4, WeightedAverage.OfMetric(replies, "loss"), 12);
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
