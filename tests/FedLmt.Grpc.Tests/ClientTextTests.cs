namespace FedLmt.Grpc.Tests;

public class ClientTextTests
{
    [Theory]
    [InlineData("weak", "weak")]
    [InlineData("a\nb\tc\u001b[31m", "a?b?c?[31m")]
    [InlineData(null, "")]
    public void Control_characters_become_question_marks(string? text, string expected) => Assert.Equal(expected, ClientText.Clean(text));

    [Fact]
    public void Long_text_is_cut_with_an_ellipsis()
    {
        string cleaned = ClientText.Clean(new string('y', 5000));
        Assert.Equal(ClientText.MaxLength + 3, cleaned.Length);
        Assert.EndsWith("y...", cleaned);
    }
}
