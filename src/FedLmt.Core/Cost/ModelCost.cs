using FedLmt.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Cost;

/// <summary>
/// Exact size and compute of a model, from its layer shapes: trainable parameters, state entries that are not
/// parameters (BatchNorm statistics when tracked), the bytes one copy of its state takes on the wire (raw tensor
/// data), and forward multiply-accumulates per sample of the convolutions and linear layers.
/// </summary>
public sealed record ModelCost(long Parameters, long BufferElements, long PayloadBytes, long MacsPerSample)
{
    /// <summary>Measures a model by one shape-tracing forward pass on a zero input of batch 2.</summary>
    public static ModelCost Measure(nn.Module<Tensor, Tensor> model, int inChannels, int height, int width)
    {
        long parameters = model.parameters().Sum(p => p.numel());
        var state = model.state_dict();
        long stateElements = state.Values.Sum(t => t.numel());
        long payload = state.Values.Sum(t => t.numel() * t.ElementSize);
        return new ModelCost(parameters, stateElements - parameters, payload, TraceMacs(model, inChannels, height, width));
    }

    /// <summary>Measures a model built from a spec.</summary>
    public static ModelCost Measure(Models.HybridModel model) =>
        Measure(model, model.Spec.InChannels, model.Spec.Height, model.Spec.Width);

    static long TraceMacs(nn.Module<Tensor, Tensor> model, int c, int h, int w)
    {
        const int batch = 2; // BatchNorm on batch statistics needs more than one value per channel
        long total = 0;
        var removers = new List<Action>();
        foreach (var module in model.modules())
        {
            if (module is not (IFactorizedLayer or FullConv2d or Linear)) continue;
            var hookable = (nn.Module<Tensor, Tensor>)module;
            var remover = hookable.register_forward_hook((m, input, output) =>
            {
                total += LayerMacs(m, input.shape, output.shape);
                return output;
            });
            removers.Add(remover.remove);
        }
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            model.forward(torch.zeros(batch, c, h, w));
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        return total / batch;
    }

    static long LayerMacs(nn.Module<Tensor, Tensor> m, long[] inputShape, long[] outputShape)
    {
        long outElements = outputShape.Aggregate(1L, (a, b) => a * b);
        return m switch
        {
            IFactorizedLayer f => f.MacsPerSample(inputShape, outputShape) * outputShape[0],
            FullConv2d conv => conv.MacsPerSample(outputShape) * outputShape[0],
            Linear linear => outElements * linear.weight!.shape[1],
            _ => 0,
        };
    }
}
