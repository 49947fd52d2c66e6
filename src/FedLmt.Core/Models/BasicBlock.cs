using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>ResNet's BasicBlock: two 3x3 convs (factorized in a low-rank block) and a 1x1 conv shortcut that is never factorized.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    readonly nn.Module<Tensor, Tensor>? shortcut;

    internal BasicBlock(nn.Module<Tensor, Tensor> conv1, nn.Module<Tensor, Tensor> bn1, nn.Module<Tensor, Tensor> conv2,
        nn.Module<Tensor, Tensor> bn2, nn.Module<Tensor, Tensor>? shortcut) : base(nameof(BasicBlock))
    {
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
        using var b = bn1.call(a);
        using var c = b.relu_();
        using var d = conv2.call(c);
        var output = bn2.call(d);
        if (shortcut is null) output.add_(input);
        else
        {
            using var s = shortcut.call(input);
            output.add_(s);
        }
        return output.relu_();
    }
}
