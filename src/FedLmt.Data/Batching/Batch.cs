using TorchSharp;

namespace FedLmt.Data;

/// <summary>
/// One mini-batch: images float32 [B, C, H, W] (normalized) and labels int64 [B], or token windows int64 [B, T] and
/// their targets int64 [B, T]. The receiver owns both tensors:
/// dispose the batch (<c>using var _ = batch;</c>) or let an enclosing dispose scope collect them.
/// </summary>
public readonly record struct Batch(torch.Tensor X, torch.Tensor Y) : IDisposable
{
    /// <summary>Number of samples in the batch.</summary>
    public int Size => (int)Y.shape[0];

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}
