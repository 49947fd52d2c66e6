using ScottPlot;

namespace FedLmt.Reporting;

/// <summary>Shared look of the charts: a font that exists on the machine, readable sizes.</summary>
internal static class ChartCanvas
{
    public static void CheckSize(int width, int height)
    {
        if (width < 100 || height < 100 || width > 10000 || height > 10000)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Chart size {width}x{height}; expected 100..10000 pixels each way.");
        }
    }

    private static readonly string[] PreferredFonts = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "Segoe UI"];

    private static readonly Lazy<string?> InstalledSans = new(() =>
    {
        var installed = SkiaSharp.SKFontManager.Default.GetFontFamilies().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return PreferredFonts.FirstOrDefault(installed.Contains);
    });

    /// <summary>A sans-serif font that is installed, else whatever ScottPlot finds able to draw <paramref name="text"/>.</summary>
    public static string FontFor(string text) => InstalledSans.Value ?? Fonts.Detect(text);

    public static void Style(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Font.Set(FontFor(title + xLabel + yLabel));
        plot.Title(title, size: 18);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
    }
}
