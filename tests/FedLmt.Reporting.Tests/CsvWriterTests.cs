using System.Globalization;

namespace FedLmt.Reporting.Tests;

public class CsvWriterTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("", "")]
    public void Escapes_fields_as_rfc_4180_says(string field, string expected)
    {
        Assert.Equal(expected, CsvWriter.Escape(field));
    }

    [Fact]
    public void Formats_numbers_with_invariant_culture_whatever_the_current_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");

            var csv = CsvWriter.Format(["round", "accuracy", "bytes", "ok", "note"], [[1, 0.8125, 1_500_000L, true, null]]);

            Assert.Equal("round,accuracy,bytes,ok,note\n1,0.8125,1500000,true,\n", csv);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Doubles_round_trip()
    {
        var csv = CsvWriter.Format(["x"], [[0.1 + 0.2]]);

        Assert.Equal(0.1 + 0.2, double.Parse(csv.Split('\n')[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Refuses_a_row_with_the_wrong_number_of_fields()
    {
        var ex = Assert.Throws<ArgumentException>(() => CsvWriter.Format(["a", "b"], [["1", "2"], ["3"]]));

        Assert.Contains("row 2 has 1 fields; expected 2", ex.Message);
    }

    [Fact]
    public void Write_puts_the_table_in_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.csv");

        CsvWriter.Write(path, ["client", "samples"], [[0, 600], [1, 598]]);

        Assert.Equal("client,samples\n0,600\n1,598\n", File.ReadAllText(path));
    }
}
