using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Models;

/// <summary>
/// HeteroFL's scaler: a width sub-model's hidden outputs are divided by its rate while training, so they keep the
/// magnitude the full model's would have; evaluation passes them through. Stateless, so it adds nothing to state_dict.
/// </summary>
public sealed class ActivationScaler : nn.Module<Tensor, Tensor>
{
    public ActivationScaler(double rate) : base(nameof(ActivationScaler))
    {
        if (!(rate > 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "the rate must be a finite number > 0");
        Rate = rate;
        RegisterComponents();
    }

    public double Rate { get; }

    public override Tensor forward(Tensor input) => training ? input.div(Rate) : input.alias();

    /// <summary>
    /// Divides <paramref name="hidden"/> by <paramref name="rate"/> in place when <paramref name="training"/> and a rate
    /// is given, and returns it. In place is safe where it is used: right after a conv or linear layer, whose backward
    /// does not read its own output.
    /// </summary>
    public static Tensor InPlace(Tensor hidden, bool training, double? rate) =>
        training && rate is double r ? hidden.div_(r) : hidden;
}
