using FedLmt.Runs;

namespace FedLmt.Cli.Commands;

/// <summary>The presets in configs/, embedded in the tool.</summary>
public static class Presets
{
    public static IReadOnlyList<string> Names { get; } = typeof(Presets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("presets/", StringComparison.Ordinal))
        .Select(n => Path.GetFileNameWithoutExtension(n["presets/".Length..])).Order().ToList();

    /// <summary>The config from a YAML file, else from a preset (default: 'default'), with overrides applied.</summary>
    public static RunConfig LoadConfig(string? file, string? preset, string[] overrides) =>
        file is not null ? ConfigLoader.Load(file, overrides)
        : ConfigLoader.Parse(Read(preset ?? "default"), overrides, $"preset {preset ?? "default"}");

    public static string Read(string name)
    {
        using var stream = typeof(Presets).Assembly.GetManifestResourceStream($"presets/{name}.yaml")
            ?? throw new ArgumentException($"preset '{name}' is unknown; allowed: {string.Join(", ", Names)}");
        return new StreamReader(stream).ReadToEnd();
    }
}
