using FedLmt.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Models;

public class ModelStateTests
{
    static HybridModel Mlp(long seed) => ModelFactory.Create(new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 4, Width = 4, Ratio = 0.5 }, seed);

    [Fact]
    public void Snapshot_is_a_copy_not_a_live_reference()
    {
        using var model = Mlp(1);
        var snap = ModelState.Snapshot(model);
        float before = snap["fc1.u"].data<float>()[0];
        using (torch.no_grad()) model.parameters().First().add_(1);
        Assert.Equal(before, snap["fc1.u"].data<float>()[0]);
        ModelState.Dispose(snap);
    }

    [Fact]
    public void Load_copies_every_entry_and_refuses_unknown_missing_or_misshapen_ones()
    {
        using var a = Mlp(1);
        using var b = Mlp(2);
        var snap = ModelState.Snapshot(a);
        ModelState.Load(b, snap);
        Assert.All(b.state_dict(), kv => Assert.True(kv.Value.allclose(snap[kv.Key], 0, 0), kv.Key));

        var extra = new Dictionary<string, Tensor>(snap) { ["fc9.u"] = torch.zeros(1) };
        Assert.Contains("fc9.u", Assert.Throws<ArgumentException>(() => ModelState.Load(b, extra)).Message);
        var missing = new Dictionary<string, Tensor>(snap);
        missing.Remove("fc3.bias");
        Assert.Contains("fc3.bias", Assert.Throws<ArgumentException>(() => ModelState.Load(b, missing)).Message);
        ModelState.Load(b, missing, partial: true);
        var bad = new Dictionary<string, Tensor>(snap) { ["fc3.bias"] = torch.zeros(3) };
        Assert.Contains("fc3.bias", Assert.Throws<ArgumentException>(() => ModelState.Load(b, bad)).Message);
    }
}
