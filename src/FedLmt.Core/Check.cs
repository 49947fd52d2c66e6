using System.Globalization;

namespace FedLmt;

/// <summary>The one way a configuration value is refused: the key, the value found and what is allowed.</summary>
public static class Check
{
    /// <summary>Throws <see cref="ArgumentException"/> "KEY = VALUE is not allowed; expected ALLOWED" unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string key, object? value, string allowed)
    {
        if (!ok) throw new ArgumentException($"{key} = {Convert.ToString(value, CultureInfo.InvariantCulture)} is not allowed; expected {allowed}");
    }
}
