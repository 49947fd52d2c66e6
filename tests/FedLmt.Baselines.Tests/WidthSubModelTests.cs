using FedLmt.Federated;
using FedLmt.Models;
using TorchSharp;
using static FedLmt.Baselines.Tests.BaselineTestKit;
using static TorchSharp.torch;

namespace FedLmt.Baselines.Tests;

/// <summary>The model side of HeteroFL/FedRolex: ceil(w x C) channels and the training-time scaler (ModelSpec.SubModelRate).</summary>
public class WidthSubModelTests
{
    [Fact]
    public void A_sub_model_keeps_the_ceiling_of_rate_times_channels_and_whole_inputs_and_classes()
    {
        var spec = new ModelSpec { Architecture = "cnn", InChannels = 1, Height = 28, Width = 28, NumClasses = 10, SubModelRate = 0.3 };
        using var model = ModelFactory.Create(spec, seed: 1);
        var shapes = ModelState.Layout(model).ToDictionary(e => e.Name, e => e.Shape);
        // 32, 64 and 128 channels: ceil(9.6) = 10, ceil(19.2) = 20, ceil(38.4) = 39.
        Assert.Equal([10L, 1, 3, 3], shapes["conv1.weight"]);
        Assert.Equal([20L, 10, 3, 3], shapes["conv2.weight"]);
        Assert.Equal([39L, 20 * 7 * 7], shapes["fc1.weight"]);
        Assert.Equal([10L, 39], shapes["fc2.weight"]);
    }

    [Fact]
    public void The_rate_applies_after_the_width_multiplier_and_an_exact_product_is_not_rounded_up()
    {
        // fc1: 256 x 100/256 = 100 channels, and 0.55 x 100 is 55.00000000000001 in floating point: 55, not 56.
        // fc2: 128 x 100/256 = 50 channels, ceil(0.55 x 50) = ceil(27.5) = 28.
        var spec = TinyMlp with { WidthMultiplier = 100.0 / 256, SubModelRate = 0.55 };
        Assert.Equal(55, spec.Scale(256));
        Assert.Equal(28, spec.Scale(128));
    }

    [Fact]
    public void AsFull_drops_the_rate_and_the_scaler_so_budgets_compare_with_the_whole_model()
    {
        var sub = TinyMlp with { SubModelRate = 0.5, ScaleActivations = true };
        Assert.Equal(TinyMlp, sub.AsFull());
        Assert.Equal(0.5, sub.TrainingActivationScale);
        Assert.Null((TinyMlp with { SubModelRate = 0.5 }).TrainingActivationScale);
    }

    [Fact]
    public void A_rate_outside_zero_to_one_is_refused_naming_the_key()
    {
        Assert.Contains("model.sub_model_rate", Assert.Throws<ArgumentException>(() => (TinyMlp with { SubModelRate = 1.5 }).Validate()).Message);
        Assert.Contains("model.sub_model_rate", Assert.Throws<ArgumentException>(() => (TinyMlp with { SubModelRate = 0 }).Validate()).Message);
    }

    [Fact]
    public void The_scaler_divides_hidden_outputs_by_the_rate_in_training_and_leaves_evaluation_alone()
    {
        var spec = TinyMlp with { SubModelRate = 0.5, ScaleActivations = true };
        using var scaled = ModelFactory.Create(spec, seed: 3);
        using var plain = ModelFactory.Create(spec with { ScaleActivations = false }, seed: 3);
        using var x = torch.tensor(new float[] { 0.5f, -1f, 2f, 1f, 0f, -0.5f }).reshape(2, 1, 1, 3);
        using var noGrad = torch.no_grad();
        var w = ModelState.Snapshot(scaled);

        // By hand: h1 = relu((x W1^T + b1) / w), h2 = relu((h1 W2^T + b2) / w), y = h2 W3^T + b3 (the head is not scaled).
        var flat = x.flatten(1);
        var h1 = (flat.matmul(w["fc1.weight"].t()) + w["fc1.bias"]).div(0.5).relu();
        var h2 = (h1.matmul(w["fc2.weight"].t()) + w["fc2.bias"]).div(0.5).relu();
        var expected = h2.matmul(w["fc3.weight"].t()) + w["fc3.bias"];
        scaled.train();
        Assert.True(scaled.call(x).allclose(expected, rtol: 1e-5, atol: 1e-6));

        scaled.eval();
        plain.eval();
        Assert.True(scaled.call(x).equal(plain.call(x)).all().item<bool>());
        ModelState.Dispose(w);
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vgg11")]
    [InlineData("cnn")]
    public void The_scaler_adds_no_state_and_every_architecture_trains_a_step_with_it(string architecture)
    {
        var spec = new ModelSpec { Architecture = architecture, InChannels = 3, Height = 8, Width = 8, NumClasses = 4, WidthMultiplier = 0.125, SubModelRate = 0.5 };
        using var plain = ModelFactory.Create(spec, seed: 1);
        using var scaled = ModelFactory.Create(spec with { ScaleActivations = true }, seed: 1);
        Assert.Equal(ModelState.Layout(plain).Select(e => (e.Name, string.Join(",", e.Shape))), ModelState.Layout(scaled).Select(e => (e.Name, string.Join(",", e.Shape))));

        scaled.train();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 3, 8, 8, generator: new Generator(5));
        var loss = nn.functional.cross_entropy(scaled.call(x), torch.tensor(new long[] { 0, 1, 2, 3 }));
        loss.backward();
        Assert.True(double.IsFinite(loss.item<float>()));
        Assert.All(scaled.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void In_evaluation_a_scaled_resnet_sub_model_computes_what_the_unscaled_one_does()
    {
        var spec = new ModelSpec { Architecture = "resnet18", InChannels = 3, Height = 8, Width = 8, NumClasses = 4, WidthMultiplier = 0.125, SubModelRate = 0.5 };
        using var plain = ModelFactory.Create(spec, seed: 1);
        using var scaled = ModelFactory.Create(spec with { ScaleActivations = true }, seed: 1);
        plain.eval();
        scaled.eval();
        using var noGrad = torch.no_grad();
        using var x = torch.randn(4, 3, 8, 8, generator: new Generator(5));
        Assert.True(plain.call(x).equal(scaled.call(x)).all().item<bool>());
    }
}
