using System.Globalization;
using ScottPlot;

namespace FedLmt.Reporting;

/// <summary>
/// A PNG heat map of a [row, column] matrix with labelled rows and columns and a color bar, e.g. the training samples
/// of every class (columns) at every client (rows) of a federated partition.
/// </summary>
public sealed class HeatMapChart
{
    private readonly double[,] _values;

    /// <summary>Creates the chart; there must be one label per row and per column.</summary>
    public HeatMapChart(string title, double[,] values, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
        {
            throw new ArgumentException("A heat map needs at least one row and one column.", nameof(values));
        }
        if (rowLabels.Count != values.GetLength(0) || columnLabels.Count != values.GetLength(1))
        {
            throw new ArgumentException(
                $"Heat map of {values.GetLength(0)} x {values.GetLength(1)} values has {rowLabels.Count} row labels and " +
                $"{columnLabels.Count} column labels; expected one per row and per column.");
        }
        Title = title;
        _values = (double[,])values.Clone();
        RowLabels = [.. rowLabels];
        ColumnLabels = [.. columnLabels];
    }

    /// <summary>Chart title.</summary>
    public string Title { get; }

    /// <summary>Labels down the left side, top row first.</summary>
    public IReadOnlyList<string> RowLabels { get; }

    /// <summary>Labels along the bottom.</summary>
    public IReadOnlyList<string> ColumnLabels { get; }

    /// <summary>Horizontal axis title.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Vertical axis title.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Color bar title.</summary>
    public string ColorBarLabel { get; init; } = "";

    /// <summary>Write each cell's value in it; null: only when there are at most 600 cells.</summary>
    public bool? ShowValues { get; init; }

    /// <summary>Renders PNG bytes; by default the size grows with the matrix so labels stay readable.</summary>
    public byte[] RenderPng(int? width = null, int? height = null)
    {
        var rows = _values.GetLength(0);
        var columns = _values.GetLength(1);
        var w = width ?? Math.Clamp(260 + 90 * columns, 700, 4000);
        var h = height ?? Math.Clamp(170 + 24 * rows, 450, 6000);
        ChartCanvas.CheckSize(w, h);

        using var plot = new Plot();
        ChartCanvas.Style(plot, Title + string.Concat(RowLabels) + string.Concat(ColumnLabels), XLabel, YLabel);
        plot.Title(Title, size: 18);
        var heatmap = plot.Add.Heatmap(_values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Cell (r, c) is centred on (c, rows - 1 - r): row 0 at the top, as in a table.
        heatmap.Position = new CoordinateRect(0, columns - 1, 0, rows - 1);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = ColorBarLabel;

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns).Select(c => (double)c)], [.. ColumnLabels]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r))], [.. RowLabels]);
        // Tilt column labels only when they would not fit side by side (about 7 px per character at this size).
        var longest = ColumnLabels.Max(l => l.Length);
        if (longest * 7.5 > (w - 260.0) / columns)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = (float)(longest * 6 + 40);
        }
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Grid.IsVisible = false;

        if (ShowValues ?? rows * columns <= 600)
        {
            var (min, max) = Range();
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    var v = _values[r, c];
                    var text = plot.Add.Text(v.ToString("0.##", CultureInfo.InvariantCulture), c, rows - 1 - r);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = 11;
                    // Light text on the dark (low) end of viridis, dark text on the bright end.
                    text.LabelFontColor = max > min && (v - min) / (max - min) > 0.6 ? Colors.Black : Colors.White;
                }
            }
        }
        return plot.GetImage(w, h).GetImageBytes(ImageFormat.Png);
    }

    /// <summary>Renders and writes the PNG to <paramref name="path"/> atomically.</summary>
    public void SavePng(string path, int? width = null, int? height = null) => AtomicFile.WriteAllBytes(path, RenderPng(width, height));

    private (double Min, double Max) Range()
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in _values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }
}
