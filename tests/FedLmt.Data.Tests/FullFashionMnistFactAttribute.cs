namespace FedLmt.Data.Tests;

/// <summary>A fact that skips, saying why, when the full Fashion-MNIST is not installed.</summary>
public sealed class FullFashionMnistFactAttribute : FactAttribute
{
    public FullFashionMnistFactAttribute()
    {
        if (!FashionMnist.IsInstalled())
        {
            Skip = $"Full Fashion-MNIST not found in {FashionMnist.DefaultDirectory} (install the Debian package dataset-fashion-mnist).";
        }
    }
}
