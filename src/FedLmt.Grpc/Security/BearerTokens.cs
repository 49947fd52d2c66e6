using System.Security.Cryptography;
using System.Text;

namespace FedLmt.Grpc;

/// <summary>The client ids a token admits: one id, or a range a client host serves.</summary>
public readonly record struct TokenScope(int First, int Last)
{
    public bool Admits(int clientId) => clientId >= First && clientId <= Last;

    public override string ToString() => First == Last ? $"client {First}" : $"clients {First}-{Last}";
}

/// <summary>
/// The tokens a server accepts: one shared by every client, or one per client id or id range (a token then only admits
/// its own clients: one device, or a client host serving a declared range). Compared in constant time.
/// </summary>
public sealed class BearerTokens
{
    readonly List<(byte[] Token, TokenScope? Scope)> _tokens;

    BearerTokens(List<(byte[] Token, TokenScope? Scope)> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("at least one token is needed");
        foreach (var (t, _) in tokens)
            if (t.Length < 16) throw new ArgumentException("a token must be at least 16 characters");
        _tokens = tokens;
    }

    /// <summary>One token for every client.</summary>
    public static BearerTokens Shared(string token) => new([(Encoding.UTF8.GetBytes(token.Trim()), null)]);

    /// <summary>
    /// Reads a token file: lines "ID TOKEN" give client ID its own token, "FIRST-LAST TOKEN" one token to a client host
    /// serving that range, a line with a token alone is shared by all; blank lines and lines starting with # are skipped.
    /// </summary>
    public static BearerTokens FromFile(string path)
    {
        var tokens = new List<(byte[], TokenScope?)>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 1) tokens.Add((Encoding.UTF8.GetBytes(parts[0]), null));
            else if (parts.Length == 2 && ClientIds.ParseRange(parts[0]) is { } range) tokens.Add((Encoding.UTF8.GetBytes(parts[1]), new TokenScope(range.First, range.Last)));
            else throw new ArgumentException($"{path}: line {lineNo}: expected 'TOKEN', 'CLIENT_ID TOKEN' or 'FIRST-LAST TOKEN'");
        }
        return new BearerTokens(tokens);
    }

    /// <summary>
    /// A fresh random token: URL-safe base64 of 32 random bytes, drawn again while it starts with '-', which a command
    /// line would read as an option (`--token -Xy...` fails to parse; one draw in 64 would).
    /// </summary>
    public static string NewToken()
    {
        while (true)
        {
            string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (token[0] != '-') return token;
        }
    }

    /// <summary>Whether <paramref name="token"/> is accepted, and for which clients (null: any client).</summary>
    public bool Accepts(string token, out TokenScope? scope)
    {
        var given = Encoding.UTF8.GetBytes(token);
        bool found = false;
        scope = null;
        foreach (var (t, s) in _tokens)
        {
            // Check every entry, so the time taken does not tell which one matched.
            if (CryptographicOperations.FixedTimeEquals(t, given) && !found)
            {
                found = true;
                scope = s;
            }
        }
        return found;
    }
}
