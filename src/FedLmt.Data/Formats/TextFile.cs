using System.Buffers;
using System.Text;

namespace FedLmt.Data;

/// <summary>
/// Reads a whole text file as strict UTF-8 and refuses what is not text: an empty file, a control character other than
/// tab, line feed and carriage return (a binary file), invalid UTF-8 or a file cut inside a multi-byte character.
/// </summary>
internal static class TextFile
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of <paramref name="path"/>; <paramref name="expected"/> says what it should be, for errors.</summary>
    public static string Read(string path, string expected)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist; expected {expected}.", path);
        return Decode(File.ReadAllBytes(path), path, expected);
    }

    /// <summary>Decodes <paramref name="bytes"/> (a leading byte-order mark is dropped); <paramref name="source"/> names it in errors.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source, string expected)
    {
        if (bytes.Length == 0) throw new InvalidDataException($"'{source}' is empty; expected {expected}.");
        // In UTF-8 every byte below 0x80 is the character itself, so a control character shows as its own byte.
        var control = bytes.IndexOfAnyExcept(Text);
        if (control >= 0 && bytes[control] < 0x80)
        {
            throw new InvalidDataException(
                $"'{source}' holds the control byte 0x{bytes[control]:X2} at byte {control} (line {LineOf(bytes, control)}): " +
                $"binary data, not {expected}.");
        }
        try
        {
            var text = Strict.GetString(bytes);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException(Utf8Problem(bytes, source, expected), ex);
        }
    }

    // Printable ASCII, tab, line feed, carriage return and every byte of a multi-byte UTF-8 sequence (0x80 and up).
    static readonly SearchValues<byte> Text = SearchValues.Create(
        [(byte)'\t', (byte)'\n', (byte)'\r', .. Enumerable.Range(0x20, 0x7F - 0x20).Select(b => (byte)b), .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    static string Utf8Problem(ReadOnlySpan<byte> bytes, string source, string expected)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                return $"'{source}' ends in the middle of a multi-byte UTF-8 character (at byte {offset} of {bytes.Length}): " +
                    $"the file is truncated or corrupt; expected {expected}.";
            }
            if (status != OperationStatus.Done)
            {
                return $"'{source}' has invalid UTF-8 at byte {offset} (line {LineOf(bytes, offset)}): the file is corrupt or not " +
                    $"UTF-8 text; expected {expected}.";
            }
            offset += consumed;
        }
        return $"'{source}' is not valid UTF-8; expected {expected}.";
    }

    static int LineOf(ReadOnlySpan<byte> bytes, int offset) => bytes[..offset].Count((byte)'\n') + 1;
}
