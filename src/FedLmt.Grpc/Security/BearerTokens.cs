using System.Security.Cryptography;
using System.Text;

namespace FedLmt.Grpc;

/// <summary>
/// The tokens a server accepts: one shared by every client, or one per client id (a token then only admits its own
/// client). Compared in constant time.
/// </summary>
public sealed class BearerTokens
{
    readonly List<(byte[] Token, int? ClientId)> _tokens;

    BearerTokens(List<(byte[] Token, int? ClientId)> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("at least one token is needed");
        foreach (var (t, _) in tokens)
            if (t.Length < 16) throw new ArgumentException("a token must be at least 16 characters");
        _tokens = tokens;
    }

    /// <summary>One token for every client.</summary>
    public static BearerTokens Shared(string token) => new([(Encoding.UTF8.GetBytes(token.Trim()), null)]);

    /// <summary>
    /// Reads a token file: lines "ID TOKEN" give client ID its own token, a line with a token alone is shared by all;
    /// blank lines and lines starting with # are skipped.
    /// </summary>
    public static BearerTokens FromFile(string path)
    {
        var tokens = new List<(byte[], int?)>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 1) tokens.Add((Encoding.UTF8.GetBytes(parts[0]), null));
            else if (parts.Length == 2 && int.TryParse(parts[0], out int id) && id >= 0) tokens.Add((Encoding.UTF8.GetBytes(parts[1]), id));
            else throw new ArgumentException($"{path}: line {lineNo}: expected 'TOKEN' or 'CLIENT_ID TOKEN'");
        }
        return new BearerTokens(tokens);
    }

    /// <summary>A fresh random token (URL-safe base64 of 32 random bytes).</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="token"/> is accepted, and for which client (null: any client).</summary>
    public bool Accepts(string token, out int? clientId)
    {
        var given = Encoding.UTF8.GetBytes(token);
        bool found = false;
        clientId = null;
        foreach (var (t, id) in _tokens)
        {
            // Check every entry, so the time taken does not tell which one matched.
            if (CryptographicOperations.FixedTimeEquals(t, given) && !found)
            {
                found = true;
                clientId = id;
            }
        }
        return found;
    }
}
