using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FedLmt.Runs;

/// <summary>
/// Reads a <see cref="RunConfig"/> from YAML plus "key.path=value" overrides. Unknown keys are refused with the
/// line and the keys allowed there; values that do not parse are refused with the key and line.
/// </summary>
public static class ConfigLoader
{
    static readonly INamingConvention Naming = UnderscoredNamingConvention.Instance;

    /// <summary>Loads a file (null: the built-in defaults) and applies overrides in order.</summary>
    public static RunConfig Load(string? path, IEnumerable<string>? overrides = null)
    {
        string yaml = path is null ? "{}" : File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"config file {path} does not exist", path);
        if (path is not null && string.IsNullOrWhiteSpace(yaml))
            throw new ArgumentException($"config file {path} is empty; write the keys to change (--keys lists them), or use --preset default");
        return Parse(yaml, overrides, path ?? "(defaults)");
    }

    public static RunConfig Parse(string yaml, IEnumerable<string>? overrides = null, string source = "(text)")
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ArgumentException($"{source}: line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count > 1)
            throw new ArgumentException($"{source}: line {stream.Documents[1].RootNode.Start.Line}: a second YAML document ('---'); a config is one document");
        var root = stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new ArgumentException($"{source}: the top level must be a mapping of keys to values");
        foreach (var o in overrides ?? []) ApplyOverride(root, o);
        CheckKeys(root, typeof(RunConfig), "", source);

        var deserializer = new DeserializerBuilder().WithNamingConvention(Naming).Build();
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        try
        {
            return (deserializer.Deserialize<RunConfig>(writer.ToString()) ?? new RunConfig()).Validate();
        }
        catch (YamlException e)
        {
            throw new ArgumentException($"{source}: {(e.InnerException?.Message ?? e.Message)}");
        }
    }

    /// <summary>Every key the config understands, as dotted paths (for --help and error messages).</summary>
    public static IReadOnlyList<string> KnownKeys() => Keys(typeof(RunConfig), "").ToList();

    static IEnumerable<string> Keys(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            string key = prefix + Naming.Apply(p.Name);
            if (IsSection(p.PropertyType)) foreach (var k in Keys(p.PropertyType, key + ".")) yield return k;
            else yield return key;
        }
    }

    static bool IsSection(Type t) => t.IsClass && t != typeof(string) && t.DeclaringType == typeof(RunConfig);

    static void CheckKeys(YamlMappingNode map, Type type, string prefix, string source)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .ToDictionary(p => Naming.Apply(p.Name), StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            string key = keyNode is YamlScalarNode k ? k.Value ?? ""
                : throw new ArgumentException($"{source}: line {keyNode.Start.Line}: a key must be a plain name, not a {(keyNode is YamlSequenceNode ? "list" : "mapping")}");
            if (!props.TryGetValue(key, out var prop))
                throw new ArgumentException(
                    $"{source}: line {keyNode.Start.Line}: unknown key '{prefix}{key}'; allowed{(prefix == "" ? "" : $" under '{prefix.TrimEnd('.')}'")}: {string.Join(", ", props.Keys)}");
            var t = prop.PropertyType;
            if (value is YamlScalarNode scalar) CheckScalar(scalar, t, $"{prefix}{key}", source);
            else if (IsSection(t) && value is YamlMappingNode sub) CheckKeys(sub, t, $"{prefix}{key}.", source);
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) && value is YamlSequenceNode seq && IsSection(t.GetGenericArguments()[0]))
                foreach (var item in seq.Children.OfType<YamlMappingNode>()) CheckKeys(item, t.GetGenericArguments()[0], $"{prefix}{key}[].", source);
        }
    }

    static void CheckScalar(YamlScalarNode node, Type type, string key, string source)
    {
        string text = node.Value ?? "";
        var target = Nullable.GetUnderlyingType(type) ?? type;
        bool isNull = node.Style == YamlDotNet.Core.ScalarStyle.Plain && text is "" or "~" or "null";
        if (isNull && (Nullable.GetUnderlyingType(type) is not null || !type.IsValueType)) return;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        bool ok = target == typeof(string) ? true
            : target == typeof(int) ? int.TryParse(text, System.Globalization.NumberStyles.Integer, inv, out _)
            : target == typeof(long) ? long.TryParse(text, System.Globalization.NumberStyles.Integer, inv, out _)
            : target == typeof(double) ? double.TryParse(text, System.Globalization.NumberStyles.Float, inv, out _)
            : target == typeof(bool) ? text is "true" or "false" or "True" or "False"
            : false;
        if (!ok)
        {
            string expected = target == typeof(int) || target == typeof(long) ? "an integer"
                : target == typeof(double) ? "a number" : target == typeof(bool) ? "true or false"
                : IsSection(target) ? "a mapping of keys" : "a list";
            throw new ArgumentException($"{source}: line {node.Start.Line}: {key} = '{text}' is not allowed; expected {expected}");
        }
    }

    /// <summary>"a.b.c=value": sets the scalar at that path, creating mappings on the way. Values are YAML scalars.</summary>
    static void ApplyOverride(YamlMappingNode root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"override '{assignment}' is not of the form key.path=value");
        var path = assignment[..eq].Trim().Split('.');
        string raw = assignment[(eq + 1)..].Trim();
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!node.Children.TryGetValue(key, out var child) || child is not YamlMappingNode m)
            {
                m = new YamlMappingNode();
                node.Children[key] = m;
            }
            node = m;
        }
        var parsed = new YamlStream();
        parsed.Load(new StringReader($"v: {raw}"));
        node.Children[new YamlScalarNode(path[^1])] = ((YamlMappingNode)parsed.Documents[0].RootNode).Children[new YamlScalarNode("v")];
    }
}
