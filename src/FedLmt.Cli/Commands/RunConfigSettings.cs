using System.ComponentModel;
using FedLmt.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli.Commands;

/// <summary>The options of every command that runs a config (simulate, compare, server, client): --config, --preset, --set.</summary>
public abstract class RunConfigSettings : CommandSettings
{
    [CommandOption("-c|--config <FILE>")]
    [Description("YAML config file (see configs/; `fedlmt simulate --keys` lists every key). A deployed server and its clients use the same one. Without it and --preset: preset 'default', the README's main job.")]
    public string? Config { get; init; }

    [CommandOption("-p|--preset <NAME>")]
    [Description("A named preset shipped with the tool: default, small, fmnist-bench-fedlmt, fmnist-bench-fedavg, cifar10-fedlmt, cifar100-fedlmt, svhn-fedlmt, tinyimagenet-fedlmt, pfedlmt-cifar10.")]
    public string? Preset { get; init; }

    [CommandOption("-s|--set <KEY=VALUE>")]
    [Description("Override a config key, e.g. --set federated.rounds=10 --set model.ratio=0.3 (repeatable).")]
    public string[] Set { get; init; } = [];

    [CommandOption("-v|--verbose")]
    [Description("Print libtorch's full start-up report (convolution check, allocator settings) instead of one line.")]
    public bool Verbose { get; init; }

    /// <summary>Starts libtorch (its convolution check) and says in one line, or in full with --verbose, what it chose.</summary>
    public void StartRuntime()
    {
        var report = FedLmt.TorchRuntime.EnsureInitialized();
        AnsiConsole.MarkupLineInterpolated($"[grey]libtorch: {(Verbose ? report.ToString() : report.Headline)}[/]");
    }

    /// <summary>The config these options name, overrides applied and validated, its dataset folder found.</summary>
    public RunConfig LoadConfig() => Presets.LoadConfig(Config, Preset, Set).Validate().CheckDataFound();

    /// <summary>Refuses --config with --preset, and an unknown preset; a command's own checks follow.</summary>
    public override ValidationResult Validate() =>
        Config is not null && Preset is not null ? ValidationResult.Error("--config and --preset: give one or the other")
        : Preset is not null && !Presets.Names.Contains(Preset) ? ValidationResult.Error($"--preset {Preset}: unknown; allowed: {string.Join(", ", Presets.Names)}")
        : ValidateOptions();

    /// <summary>The command's own option checks.</summary>
    protected virtual ValidationResult ValidateOptions() => ValidationResult.Success();
}
