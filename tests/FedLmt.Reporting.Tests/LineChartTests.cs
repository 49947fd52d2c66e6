namespace FedLmt.Reporting.Tests;

public class LineChartTests
{
    private static LineChart TwoSeries(bool logX = false) =>
        new LineChart("Accuracy", "bytes", "accuracy") { LogX = logX }
            .Add("fedlmt", Enumerable.Range(1, 20).Select(i => (i * 1e6, i / 20.0)))
            .Add("fedavg", Enumerable.Range(1, 20).Select(i => (i * 4e6, i / 25.0)));

    [Fact]
    public void Renders_a_png_of_the_requested_size()
    {
        var png = TwoSeries().RenderPng(640, 400);

        Assert.Equal((640, 400), Png.Size(png));
    }

    [Fact]
    public void Draws_each_series_in_its_own_palette_color()
    {
        var png = TwoSeries(logX: true).RenderPng();

        // Category10: first series blue #1f77b4, second orange #ff7f0e.
        Assert.True(Png.CountColor(png, 0x1f, 0x77, 0xb4) > 200);
        Assert.True(Png.CountColor(png, 0xff, 0x7f, 0x0e) > 200);
    }

    [Fact]
    public void An_empty_chart_has_no_series_colors()
    {
        var png = new LineChart("t", "x", "y").RenderPng();

        Assert.Equal(0, Png.CountColor(png, 0xff, 0x7f, 0x0e));
    }

    [Fact]
    public void SavePng_writes_the_rendered_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("acc.png");

        TwoSeries().SavePng(path, 500, 300);

        Assert.Equal((500, 300), Png.Size(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Log_x_refuses_non_positive_x_naming_series_and_point()
    {
        var chart = new LineChart("t", "x", "y") { LogX = true };

        var ex = Assert.Throws<ArgumentException>(() => chart.Add("macs", [(10, 1), (0, 2)]));

        Assert.Contains("'macs' point 1 has x = 0", ex.Message);
    }

    [Fact]
    public void Refuses_non_finite_points()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LineChart("t", "x", "y").Add("s", [(1, double.NaN)]));

        Assert.Contains("'s' point 0", ex.Message);
    }

    [Fact]
    public void Refuses_an_unreasonable_size()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TwoSeries().RenderPng(10, 400));
    }
}
