using System.Globalization;

namespace FedLmt.Cli.Bench;

/// <summary>How repeated timings are summarized in the benchmark tables.</summary>
public static class Timings
{
    /// <summary>The median (the upper one of an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>"median (min - max)", or the one value, to one decimal.</summary>
    public static string Range(IReadOnlyCollection<double> values) => values.Count == 1
        ? values.First().ToString("F1", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Median(values):F1} ({values.Min():F1} - {values.Max():F1})");
}
