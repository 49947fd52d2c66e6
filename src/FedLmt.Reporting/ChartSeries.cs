namespace FedLmt.Reporting;

/// <summary>A named line of (x, y) points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);
