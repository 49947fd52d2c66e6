using FedLmt.Layers;
using FedLmt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Layers;

public class FactorHealthTests
{
    [Fact]
    public void Smallest_singular_value_is_the_root_of_the_smallest_kept_one()
    {
        // Decomposition splits S evenly: U and V both have singular values sqrt(s_1..s_r); across two layers the
        // minimum is sqrt of the smallest kept singular value of either.
        using var scope = torch.NewDisposeScope();
        var a = new FactorizedLinear(6, 8, rank: 3);
        a.LoadFromFull(TensorAssert.WithSingularValues(8, 6, [10, 5, 4, 1], seed: 1).to(ScalarType.Float32));
        var b = new FactorizedLinear(6, 8, rank: 2);
        b.LoadFromFull(TensorAssert.WithSingularValues(8, 6, [9, 6.25, 2], seed: 2).to(ScalarType.Float32));
        var model = nn.Sequential(("a", a), ("b", b));
        Assert.Equal(2.0, FactorHealth.SmallestSingularValue(model), 4); // min(sqrt 4, sqrt 6.25)
    }

    [Fact]
    public void A_model_without_factors_reports_nan() =>
        Assert.True(double.IsNaN(FactorHealth.SmallestSingularValue(nn.Sequential(("l", nn.Linear(2, 2))))));
}
