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

/// <summary>The checks every training-step benchmark makes of its shared options.</summary>
public static class StepOptions
{
    /// <summary>The first of --batch, --steps, --warmup, --repeat, --ratio that is out of range, named with what is allowed; null when all hold.</summary>
    public static Spectre.Console.ValidationResult? Check(int batch, int steps, int warmup, int repeat, double ratio) =>
        batch < 1 ? Spectre.Console.ValidationResult.Error($"--batch {batch}: must be >= 1")
        : steps < 1 ? Spectre.Console.ValidationResult.Error($"--steps {steps}: must be >= 1")
        : warmup < 0 ? Spectre.Console.ValidationResult.Error($"--warmup {warmup}: must be >= 0")
        : repeat < 1 ? Spectre.Console.ValidationResult.Error($"--repeat {repeat}: must be >= 1")
        : !(ratio > 0 && double.IsFinite(ratio)) ? Spectre.Console.ValidationResult.Error($"--ratio {ratio}: must be a finite number > 0")
        : null;
}
