using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>ResNet's BasicBlock: two 3x3 convs (factorized in a low-rank block) and a 1x1 conv shortcut that is never factorized.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    readonly nn.Module<Tensor, Tensor>? shortcut;
    readonly double? _trainingScale;

    // trainingScale: HeteroFL's scaler; conv outputs are divided by it while training (null: none).
    internal BasicBlock(nn.Module<Tensor, Tensor> conv1, nn.Module<Tensor, Tensor> bn1, nn.Module<Tensor, Tensor> conv2,
        nn.Module<Tensor, Tensor> bn2, nn.Module<Tensor, Tensor>? shortcut, double? trainingScale = null) : base(nameof(BasicBlock))
    {
        _trainingScale = trainingScale;
        this.conv1 = conv1;
        this.bn1 = bn1;
        this.conv2 = conv2;
        this.bn2 = bn2;
        this.shortcut = shortcut;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var a = conv1.call(input);
        using var b = bn1.call(ActivationScaler.InPlace(a, training, _trainingScale));
        using var c = b.relu_();
        using var d = conv2.call(c);
        var output = bn2.call(ActivationScaler.InPlace(d, training, _trainingScale));
        if (shortcut is null) output.add_(input);
        else
        {
            // The shortcut conv has no bias, so scaling its input scales its output: the scaler sits before its BatchNorm
            // without changing the Sequential's state names.
            using var scaledInput = training && _trainingScale is double r ? input.div(r) : null;
            using var s = shortcut.call(scaledInput ?? input);
            output.add_(s);
        }
        return output.relu_();
    }
}
