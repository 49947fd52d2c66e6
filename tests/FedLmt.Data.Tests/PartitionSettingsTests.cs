namespace FedLmt.Data.Tests;

public class PartitionSettingsTests
{
    [Fact]
    public void Defaults_follow_the_reference()
    {
        var settings = new PartitionSettings(PartitionScheme.Dirichlet, 20, 1);

        Assert.Equal((0.5, 2, 10), (settings.Alpha, settings.ShardsPerClient, settings.MinSamplesPerClient));
    }

    [Theory]
    [InlineData("iid", PartitionScheme.Iid)]
    [InlineData("Shards", PartitionScheme.Shards)]
    [InlineData("pathological", PartitionScheme.Shards)]
    [InlineData(" dirichlet ", PartitionScheme.Dirichlet)]
    public void Parses_scheme_names(string text, PartitionScheme expected)
    {
        Assert.Equal(expected, PartitionSettings.ParseScheme(text));
    }

    [Fact]
    public void Refuses_an_unknown_scheme_listing_the_allowed_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => PartitionSettings.ParseScheme("label-skew"));

        Assert.Contains("'label-skew'", ex.Message);
        Assert.Contains("iid, shards, dirichlet, contiguous, by_source", ex.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Refuses_alpha_at_or_below_zero_naming_the_value(double alpha)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionSettings(PartitionScheme.Dirichlet, 20, 1, alpha));

        Assert.Contains($"alpha = {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}", ex.Message);
    }

    [Fact]
    public void Refuses_zero_clients()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionSettings(PartitionScheme.Iid, 0, 1));

        Assert.Contains("clients = 0", ex.Message);
    }

    [Fact]
    public void Refuses_zero_shards_per_client()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PartitionSettings(PartitionScheme.Shards, 10, 1, shardsPerClient: 0));

        Assert.Contains("shards per client = 0", ex.Message);
    }

    [Fact]
    public void Creates_the_partitioner_of_its_scheme()
    {
        Assert.IsType<IidPartitioner>(new PartitionSettings(PartitionScheme.Iid, 2, 1).CreatePartitioner());
        Assert.Equal(3, Assert.IsType<ShardPartitioner>(new PartitionSettings(PartitionScheme.Shards, 2, 1, shardsPerClient: 3).CreatePartitioner()).ShardsPerClient);
        Assert.Equal(0.2, Assert.IsType<DirichletPartitioner>(new PartitionSettings(PartitionScheme.Dirichlet, 2, 1, alpha: 0.2).CreatePartitioner()).Alpha);
    }
}
