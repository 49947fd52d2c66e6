using System.Text.Json;
using FedLmt.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FedLmt.Runs;

/// <summary>
/// Runs several algorithms ("arms") on one config - same data, partition, tiers and seed - each as a
/// <see cref="SimulationRunner"/> run in its own subfolder, then writes the comparison (comparison.csv, comparison.md and
/// accuracy plots against round, bytes and client MACs). Rerunnable: an arm whose summary says it completed with the same
/// config is read, not rerun; an interrupted one resumes from its checkpoint.
/// </summary>
public sealed class ComparisonRunner
{
    static readonly ISerializer Yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    readonly RunConfig _config;
    readonly string _dir;
    readonly ILogger _logger;

    public ComparisonRunner(RunConfig config, string outputDirectory, IReadOnlyList<string>? arms = null, ILogger? logger = null)
    {
        _config = config.Validate();
        _dir = outputDirectory;
        _logger = logger ?? NullLogger.Instance;
        Arms = arms ?? Algorithms.DefaultArmsFor(config.Model.Architecture);
        if (Arms.Count == 0) throw new ArgumentException("arms: at least one algorithm is needed");
        foreach (var arm in Arms)
            if (!Algorithms.Contains(arm))
                throw new ArgumentException($"arm '{arm}' is not an algorithm; allowed: {string.Join(", ", Algorithms.Names)}");
        if (Arms.Distinct().Count() != Arms.Count) throw new ArgumentException($"arms list an algorithm twice: {string.Join(", ", Arms)}");
    }

    public IReadOnlyList<string> Arms { get; }

    public string Directory => _dir;

    public string ArmDirectory(string arm) => Path.Combine(_dir, arm);

    /// <summary>The config of one arm: the shared one with the arm's algorithm and the name "{name}-{arm}".</summary>
    public RunConfig ConfigFor(string arm) =>
        ConfigLoader.Parse(Yaml.Serialize(_config), [$"algorithm={arm}", $"name={_config.Name}-{arm}"], $"comparison arm {arm}");

    /// <summary>
    /// Runs (or reads, or resumes) every arm in order, then writes the comparison files. An arm that fails is reported
    /// and the others still run; cancellation stops after the current round of the current arm (which keeps a checkpoint).
    /// </summary>
    /// <param name="armStarting">Called before each arm with what is about to happen to it (ran, resumed or reused).</param>
    /// <param name="progress">Each finished round of the arm that is running.</param>
    /// <param name="cancellation">Stops the comparison after the current round; a rerun resumes it.</param>
    public ComparisonReport Run(Action<string, ArmStatus>? armStarting = null, IProgress<(string Arm, RoundRecord Round)>? progress = null,
        CancellationToken cancellation = default)
    {
        System.IO.Directory.CreateDirectory(_dir);
        var results = new List<ArmResult>();
        foreach (var arm in Arms)
        {
            if (cancellation.IsCancellationRequested)
            {
                results.Add(new ArmResult(arm, ArmDirectory(arm), ArmStatus.Pending, null, [], null));
                continue;
            }
            results.Add(RunArm(arm, armStarting, progress, cancellation));
        }
        var report = new ComparisonReport(_dir, results);
        report.Write();
        return report;
    }

    /// <summary>
    /// A comparison of runs already made (simulated or deployed, any configs): each folder's summary.json and
    /// results.jsonl become an arm named after the folder, written as comparison.csv/md and plots into
    /// <paramref name="outputDirectory"/>. Nothing is run. Refuses a folder without results, and two with one name.
    /// </summary>
    public static ComparisonReport Gather(string outputDirectory, IReadOnlyList<string> runDirectories)
    {
        if (runDirectories.Count == 0) throw new ArgumentException("--runs: at least one run folder is needed");
        var names = runDirectories.Select(d => Path.GetFileName(Path.TrimEndingDirectorySeparator(d))).ToList();
        var twice = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twice.Count > 0) throw new ArgumentException($"--runs: more than one folder is named {string.Join(", ", twice)}; arms are named after their folders");
        foreach (var dir in runDirectories)
            if (!File.Exists(Path.Combine(dir, "summary.json")) || !File.Exists(Path.Combine(dir, "results.jsonl")))
                throw new ArgumentException($"--runs: {dir} holds no finished run (summary.json and results.jsonl)");
        System.IO.Directory.CreateDirectory(outputDirectory);
        var report = new ComparisonReport(outputDirectory, runDirectories.Select((d, i) => Read(names[i], d, ArmStatus.Reused)).ToList());
        report.Write();
        return report;
    }

    ArmResult RunArm(string arm, Action<string, ArmStatus>? armStarting, IProgress<(string Arm, RoundRecord Round)>? progress, CancellationToken cancellation)
    {
        string dir = ArmDirectory(arm);
        RunConfig config;
        try
        {
            config = ConfigFor(arm);
            var status = Existing(config, dir);
            armStarting?.Invoke(arm, status);
            if (status == ArmStatus.Reused)
            {
                _logger.LogInformation("{Arm}: completed in {Dir}; reading its results", arm, dir);
                return Read(arm, dir, ArmStatus.Reused);
            }
            var runner = new SimulationRunner(config, dir, _logger);
            var armProgress = progress is null ? null : new ArmProgress(arm, progress);
            var summary = runner.Run(resume: status == ArmStatus.Resumed, armProgress, cancellation);
            return Read(arm, dir, summary.Interrupted ? ArmStatus.Interrupted : status);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // Whatever stops one arm (a tier that cannot afford its model, a run that diverges into NaN) is that arm's
            // result; the others still run and the table says why this one has no numbers.
            string reason = e.Message.Split('\n')[0]; // libtorch errors carry a native stack trace after the first line
            _logger.LogWarning("{Arm} failed: {Reason}", arm, reason);
            return new ArmResult(arm, dir, ArmStatus.Failed, null, [], reason);
        }
    }

    /// <summary>What the arm's folder holds: a completed run of this config (reuse), a checkpoint (resume) or nothing usable (run).</summary>
    static ArmStatus Existing(RunConfig config, string dir)
    {
        string configPath = Path.Combine(dir, "config.yaml");
        bool hasCheckpoint = File.Exists(Path.Combine(dir, "checkpoint.bin"));
        if (!File.Exists(configPath) || !hasCheckpoint) return ArmStatus.Ran;
        // Compared as parsed configs, so formatting differences do not count as a different run.
        var previous = ConfigLoader.Parse(File.ReadAllText(configPath), source: configPath);
        if (Yaml.Serialize(previous) != Yaml.Serialize(config))
            throw new InvalidOperationException($"{dir} holds a run of a different config; delete it or compare into another folder");
        var summary = ReadSummary(dir);
        return summary is { Interrupted: false } && summary.RoundsCompleted == summary.RoundsPlanned && summary.RoundsPlanned == config.Federated.Rounds
            ? ArmStatus.Reused
            : ArmStatus.Resumed;
    }

    static RunSummary? ReadSummary(string dir)
    {
        string path = Path.Combine(dir, "summary.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), RunRecorder.Json) : null;
    }

    static ArmResult Read(string arm, string dir, ArmStatus status)
    {
        var summary = ReadSummary(dir) ?? throw new InvalidDataException($"{dir} has no summary.json");
        var records = JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(dir, "results.jsonl"), RunRecorder.Json);
        return new ArmResult(arm, dir, status, summary, records, null);
    }

    /// <summary>Tags each round with its arm, reporting on the calling thread.</summary>
    sealed class ArmProgress(string arm, IProgress<(string Arm, RoundRecord Round)> inner) : IProgress<RoundRecord>
    {
        public void Report(RoundRecord value) => inner.Report((arm, value));
    }
}
