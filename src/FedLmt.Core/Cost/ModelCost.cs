using FedLmt.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedLmt.Cost;

/// <summary>
/// Exact size and compute of a model, from its layer shapes: trainable parameters, state entries that are not
/// parameters (BatchNorm statistics when tracked), the bytes one copy of its state takes on the wire (raw tensor
/// data), and forward multiply-accumulates per sample of the convolutions, linear layers and attention (scores and
/// value mix; an embedding look-up costs none, a factorized table's projection does).
/// </summary>
public sealed record ModelCost(long Parameters, long BufferElements, long PayloadBytes, long MacsPerSample)
{
    /// <summary>Measures an image model by one shape-tracing forward pass on a zero input of batch 2.</summary>
    public static ModelCost Measure(nn.Module<Tensor, Tensor> model, int inChannels, int height, int width) =>
        Measure(model, batch => torch.zeros(batch, inChannels, height, width));

    /// <summary>Measures a model built from a spec, on its own example input (images, or token ids for a language model).</summary>
    public static ModelCost Measure(Models.HybridModel model) => Measure(model, model.ExampleInput);

    static ModelCost Measure(nn.Module<Tensor, Tensor> model, Func<int, Tensor> exampleInput)
    {
        long parameters = model.parameters().Sum(p => p.numel());
        var state = model.state_dict();
        long stateElements = state.Values.Sum(t => t.numel());
        long payload = state.Values.Sum(t => t.numel() * t.ElementSize);
        return new ModelCost(parameters, stateElements - parameters, payload, TraceMacs(model, exampleInput));
    }

    static long TraceMacs(nn.Module<Tensor, Tensor> model, Func<int, Tensor> exampleInput)
    {
        const int batch = 2; // BatchNorm on batch statistics needs more than one value per channel
        long total = 0;
        var removers = new List<Action>();
        foreach (var module in model.modules())
        {
            if (module is not (IFactorizedLayer or FullConv2d or Linear or Models.CausalSelfAttention)) continue;
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
            model.forward(exampleInput(batch));
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
            Models.CausalSelfAttention attention => attention.AttentionMacsPerSample(outputShape) * outputShape[0],
            _ => 0,
        };
    }
}
