using System.Globalization;
using ScottPlot;

namespace FedLmt.Reporting;

/// <summary>
/// A PNG line chart of named series, e.g. accuracy against round, bytes moved or MACs (use <see cref="LogX"/> for the
/// last two).
/// </summary>
public sealed class LineChart
{
    private readonly List<ChartSeries> _series = [];

    /// <summary>Creates an empty chart with its title and axis labels.</summary>
    public LineChart(string title, string xLabel, string yLabel)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        XLabel = xLabel ?? throw new ArgumentNullException(nameof(xLabel));
        YLabel = yLabel ?? throw new ArgumentNullException(nameof(yLabel));
    }

    /// <summary>Chart title.</summary>
    public string Title { get; }

    /// <summary>Horizontal axis label.</summary>
    public string XLabel { get; }

    /// <summary>Vertical axis label.</summary>
    public string YLabel { get; }

    /// <summary>Logarithmic horizontal axis (base 10); every x must then be positive.</summary>
    public bool LogX { get; init; }

    /// <summary>Draw a marker at every point (useful for sparse series).</summary>
    public bool ShowMarkers { get; init; } = true;

    /// <summary>The series added so far.</summary>
    public IReadOnlyList<ChartSeries> Series => _series;

    /// <summary>Adds a series; points are drawn in the given order.</summary>
    public LineChart Add(string name, IEnumerable<(double X, double Y)> points)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToArray();
        for (var i = 0; i < list.Length; i++)
        {
            var (x, y) = list[i];
            if (!double.IsFinite(x) || !double.IsFinite(y))
            {
                throw new ArgumentException($"Series '{name}' point {i} is ({x}, {y}); expected finite numbers.", nameof(points));
            }
            if (LogX && x <= 0)
            {
                throw new ArgumentException(
                    $"Series '{name}' point {i} has x = {x.ToString(CultureInfo.InvariantCulture)}; a log-x chart needs x > 0.", nameof(points));
            }
        }
        _series.Add(new ChartSeries(name, list));
        return this;
    }

    /// <summary>Renders the chart as PNG bytes.</summary>
    public byte[] RenderPng(int width = 900, int height = 560)
    {
        ChartCanvas.CheckSize(width, height);
        using var plot = new Plot();
        ChartCanvas.Style(plot, Title, XLabel, YLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < _series.Count; s++)
        {
            var series = _series[s];
            var xs = series.Points.Select(p => LogX ? Math.Log10(p.X) : p.X).ToArray();
            var ys = series.Points.Select(p => p.Y).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(s));
            line.LegendText = series.Name;
            line.LineWidth = 2;
            line.MarkerSize = ShowMarkers ? 5 : 0;
        }
        if (LogX)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = FormatPowerOfTen,
            };
            plot.Grid.MinorLineWidth = 1;
            plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        }
        if (_series.Count > 0)
        {
            plot.ShowLegend(Alignment.LowerRight);
        }
        return plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
    }

    /// <summary>Renders the chart and writes it to <paramref name="path"/> atomically.</summary>
    public void SavePng(string path, int width = 900, int height = 560) => AtomicFile.WriteAllBytes(path, RenderPng(width, height));

    private static string FormatPowerOfTen(double exponent)
    {
        var value = Math.Pow(10, exponent);
        return value switch
        {
            >= 1e12 => $"{value / 1e12:0.##}T",
            >= 1e9 => $"{value / 1e9:0.##}G",
            >= 1e6 => $"{value / 1e6:0.##}M",
            >= 1e3 => $"{value / 1e3:0.##}k",
            _ => value.ToString("0.###", CultureInfo.InvariantCulture),
        };
    }
}
