namespace FedLmt.Reporting.Tests;

public class HeatMapChartTests
{
    private static HeatMapChart Chart(int rows, int columns) => new(
        "Samples per client and class",
        Matrix(rows, columns),
        [.. Enumerable.Range(0, rows).Select(r => $"client {r}")],
        [.. Enumerable.Range(0, columns).Select(c => $"class {c}")]);

    private static double[,] Matrix(int rows, int columns)
    {
        var m = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                m[r, c] = r * columns + c;
            }
        }
        return m;
    }

    [Fact]
    public void Default_size_grows_with_the_matrix()
    {
        var small = Png.Size(Chart(20, 10).RenderPng());
        var tall = Png.Size(Chart(100, 10).RenderPng());

        Assert.Equal(small.Width, tall.Width);
        Assert.True(tall.Height > small.Height + 1000, $"{small} vs {tall}");
    }

    [Fact]
    public void Paints_the_lowest_cell_dark_purple_and_the_highest_yellow()
    {
        var png = Chart(4, 3).RenderPng(600, 400);

        // Viridis ends: #440154 (minimum) and #fde725 (maximum). Each cell is thousands of pixels here.
        Assert.True(Png.CountColor(png, 0x44, 0x01, 0x54) > 1000);
        Assert.True(Png.CountColor(png, 0xfd, 0xe7, 0x25) > 1000);
    }

    [Fact]
    public void SavePng_writes_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("heat.png");

        Chart(3, 3).SavePng(path, 400, 300);

        Assert.Equal((400, 300), Png.Size(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Refuses_labels_that_do_not_match_the_matrix()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HeatMapChart("t", new double[2, 3], ["a", "b"], ["x", "y"]));

        Assert.Contains("2 x 3 values", ex.Message);
        Assert.Contains("2 column labels", ex.Message);
    }

    [Fact]
    public void Refuses_an_empty_matrix()
    {
        Assert.Throws<ArgumentException>(() => new HeatMapChart("t", new double[0, 3], [], ["a", "b", "c"]));
    }
}
