using System.Text;

namespace FedLmt.Grpc;

/// <summary>
/// Text a client sends (failure reasons, tier names) made safe to log or echo: control characters (newlines, escape
/// sequences that would forge log lines or drive a terminal) become '?', and the text is cut to <see cref="MaxLength"/>.
/// </summary>
public static class ClientText
{
    /// <summary>The longest client text kept.</summary>
    public const int MaxLength = 200;

    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var b = new StringBuilder(Math.Min(text.Length, MaxLength + 3));
        foreach (char c in text.Length > MaxLength ? text[..MaxLength] : text)
            b.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        if (text.Length > MaxLength) b.Append("...");
        return b.ToString();
    }
}
