using FedLmt.Models;
using TorchSharp;
using static FedLmt.Baselines.Tests.BaselineTestKit;

namespace FedLmt.Baselines.Tests;

public class SubModelLayoutTests
{
    static IReadOnlyList<(string Name, long[] Shape)> LayoutOf(ModelSpec spec)
    {
        using var model = ModelFactory.Create(spec, seed: 0);
        return ModelState.Layout(model);
    }

    static SubModelLayout Of(ModelSpec spec, double rate) => SubModelLayout.Of(LayoutOf(spec), LayoutOf(spec with { SubModelRate = rate }));

    [Fact]
    public void The_first_layer_keeps_its_inputs_and_the_classifier_its_classes()
    {
        var layout = Of(TinyMlp, 0.5);
        Assert.Equal([new ChannelAxis(4, 2, 1), null], layout.AxesOf("fc1.weight"));
        Assert.Equal([new ChannelAxis(4, 2, 1)], layout.AxesOf("fc1.bias"));
        Assert.Equal([new ChannelAxis(2, 1, 1), new ChannelAxis(4, 2, 1)], layout.AxesOf("fc2.weight"));
        Assert.Equal([null, new ChannelAxis(2, 1, 1)], layout.AxesOf("fc3.weight"));
        Assert.Equal([(ChannelAxis?)null], layout.AxesOf("fc3.bias"));
        Assert.False(layout.IsWhole);
        Assert.True(Of(TinyMlp, 1.0).IsWhole);
    }

    [Fact]
    public void A_linear_layer_reading_a_flattened_map_keeps_whole_blocks_of_its_channels()
    {
        // The tiny CNN's fc1 reads conv2's 8 channels x 2 x 2 positions; at rate 1/2 it keeps channels 0-3, i.e. inputs 0-15.
        var layout = Of(TinyCnn, 0.5);
        var axis = layout.AxesOf("fc1.weight")[1]!.Value;
        Assert.Equal(new ChannelAxis(8, 4, 4), axis);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), SubModelLayout.Positions(axis, ChannelWindow.Prefix));
        // FedRolex in round 6: channels 6, 7, 0, 1 -> inputs 24-31 then 0-7.
        Assert.Equal(Enumerable.Range(24, 8).Concat(Enumerable.Range(0, 8)).Select(i => (long)i), SubModelLayout.Positions(axis, ChannelWindow.Rolling(6)));
    }

    [Fact]
    public void A_resnet_shortcut_reads_its_blocks_input_channels_and_writes_its_output_channels()
    {
        var spec = new ModelSpec { Architecture = "resnet18", InChannels = 3, Height = 8, Width = 8, NumClasses = 4, WidthMultiplier = 0.125 };
        var layout = Of(spec, 0.5);
        // layer2.0 turns 8 channels into 16: conv1 and the shortcut read the same 4 of 8, conv2 and the shortcut write the same 8 of 16.
        Assert.Equal(layout.AxesOf("layer2.0.conv1.weight")[1], layout.AxesOf("layer2.0.shortcut.0.weight")[1]);
        Assert.Equal(layout.AxesOf("layer2.0.conv2.weight")[0], layout.AxesOf("layer2.0.shortcut.0.weight")[0]);
        Assert.Equal(new ChannelAxis(8, 4, 1), layout.AxesOf("layer2.0.shortcut.0.weight")[1]);
        Assert.Equal(new ChannelAxis(16, 8, 1), layout.AxesOf("layer2.0.shortcut.1.weight")[0]);
        Assert.Equal([new ChannelAxis(8, 4, 1), null, null, null], layout.AxesOf("conv1.weight")); // the stem keeps its 3 input channels
    }

    [Fact]
    public void Extract_then_embed_puts_every_element_back_where_it_came_from()
    {
        var layout = Of(TinyCnn, 0.5);
        var full = LayoutOf(TinyCnn).ToDictionary(e => e.Name, e => torch.arange(e.Shape.Aggregate(1L, (a, b) => a * b), dtype: torch.float32).reshape(e.Shape));
        var window = ChannelWindow.Rolling(3);
        using var sub = layout.Extract(full, window);
        foreach (var name in layout.Names)
        {
            using var back = layout.Embed(name, sub[name], window, fill: -1);
            using var held = back.ne(-1);
            Assert.True(back.masked_select(held).equal(full[name].masked_select(held)).all().item<bool>(), name);
            Assert.Equal(sub[name].numel(), held.sum().item<long>());
        }
        foreach (var t in full.Values) t.Dispose();
    }

    [Fact]
    public void A_model_that_is_not_a_width_sub_model_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SubModelLayout.Of(LayoutOf(TinyMlp), LayoutOf(TinyCnn)));
        Assert.Throws<ArgumentException>(() => SubModelLayout.Of(LayoutOf(TinyMlp with { SubModelRate = 0.5 }), LayoutOf(TinyMlp)));
    }
}
