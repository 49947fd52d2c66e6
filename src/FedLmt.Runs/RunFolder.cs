using FedLmt.Federated;
using FedLmt.Reporting;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FedLmt.Runs;

/// <summary>When a run continues from a checkpoint in its folder.</summary>
public enum ResumeMode
{
    /// <summary>A fresh run: a folder that holds a checkpoint is refused (simulate without --resume).</summary>
    Never,

    /// <summary>The folder must hold a checkpoint (simulate --resume).</summary>
    Required,

    /// <summary>Resume when there is a checkpoint, start afresh otherwise (a deployed server, restarted by its supervisor).</summary>
    IfPresent,
}

/// <summary>
/// A run's output folder: its config.yaml (a resumed run must have the same config), checkpoint.bin, and the results the
/// <see cref="RunRecorder"/> writes.
/// </summary>
public static class RunFolder
{
    static readonly ISerializer Yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static string CheckpointPathIn(string directory) => Path.Combine(directory, "checkpoint.bin");

    /// <summary>
    /// Checks that <paramref name="directory"/> may take a run of <paramref name="config"/> as <paramref name="mode"/>
    /// says, writes its config.yaml, and returns whether the run resumes (then <see cref="Restore"/> it once its
    /// strategy is built). Nothing is written when the folder is refused.
    /// </summary>
    public static bool Prepare(string directory, RunConfig config, ResumeMode mode)
    {
        string checkpoint = CheckpointPathIn(directory);
        string configPath = Path.Combine(directory, "config.yaml");
        string configText = Yaml.Serialize(config);
        bool resume = mode switch
        {
            ResumeMode.Required when !File.Exists(checkpoint) =>
                throw new InvalidOperationException($"--resume: no checkpoint at {checkpoint}; start a fresh run instead"),
            ResumeMode.Never when File.Exists(checkpoint) =>
                throw new InvalidOperationException($"{directory} already holds a run (checkpoint.bin); pass --resume to continue it or choose another --out"),
            _ => File.Exists(checkpoint),
        };
        if (resume && File.Exists(configPath) && File.ReadAllText(configPath) != configText)
            throw new InvalidOperationException(mode == ResumeMode.Required
                ? $"--resume: the config differs from the one in {configPath}; resume with the same config (or use another --out)"
                : $"{directory} holds a run with another config ({configPath}); restart with the same config or use another --out");
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(configPath, configText);
        return resume;
    }

    /// <summary>Imports the folder's checkpoint into <paramref name="strategy"/>; returns the rounds it completed.</summary>
    public static int Restore(string directory, IStrategy strategy)
    {
        using var state = CheckpointStore.Load(CheckpointPathIn(directory));
        strategy.ImportState(state);
        return state.CompletedRounds;
    }
}
