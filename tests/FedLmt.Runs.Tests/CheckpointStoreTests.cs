using FedLmt.Federated;
using FedLmt.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Runs.Tests;

public class CheckpointStoreTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("fedlmt-ckpt-").FullName;

    static ServerState Sample() => new(
        "pfedlmt", 7,
        NamedTensors.Own([KeyValuePair.Create("a.weight", torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3)),
                          KeyValuePair.Create("bn.num_batches_tracked", torch.tensor(42L))]),
        new Dictionary<int, NamedTensors> { [3] = NamedTensors.Own([KeyValuePair.Create("head.u", torch.full(4, 2, 0.5f))]) },
        new Dictionary<string, NamedTensors> { ["tier:weak"] = NamedTensors.Own([KeyValuePair.Create("x", torch.ones(1, dtype: ScalarType.Float64))]) },
        new Dictionary<string, double> { ["personalized"] = 1 });

    [Fact]
    public void Save_then_load_gives_back_every_tensor_and_scalar()
    {
        string path = Path.Combine(_dir, "c.bin");
        using (var state = Sample()) CheckpointStore.Save(path, state);
        using var loaded = CheckpointStore.Load(path);
        Assert.Equal("pfedlmt", loaded.Strategy);
        Assert.Equal(7, loaded.CompletedRounds);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, loaded.Global["a.weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, loaded.Global["a.weight"].shape);
        Assert.Equal(42L, loaded.Global["bn.num_batches_tracked"].item<long>());
        Assert.Equal(ScalarType.Int64, loaded.Global["bn.num_batches_tracked"].dtype);
        Assert.All(loaded.PerClient[3]["head.u"].data<float>().ToArray(), v => Assert.Equal(0.5f, v));
        Assert.Equal(ScalarType.Float64, loaded.Shared["tier:weak"]["x"].dtype);
        Assert.Equal(1.0, loaded.Scalars["personalized"]);
    }

    [Fact]
    public void A_truncated_or_foreign_file_is_refused_naming_it()
    {
        string path = Path.Combine(_dir, "c.bin");
        using (var state = Sample()) CheckpointStore.Save(path, state);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);

        File.WriteAllText(path, "not a checkpoint at all");
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(path)).Message);
    }

    [Fact]
    public void A_flipped_tensor_byte_is_refused_by_its_checksum_instead_of_resuming_a_damaged_run()
    {
        // Before: a flipped byte resumed into a NaN run.
        string path = Path.Combine(_dir, "c.bin");
        using (var state = Sample()) CheckpointStore.Save(path, state);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x40; // inside the last tensor's bytes
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("do not match the checkpoint's SHA-256", ex.Message);
    }

    [Fact]
    public void A_corrupt_header_is_refused_naming_the_file()
    {
        string path = Path.Combine(_dir, "c.bin");
        using (var state = Sample()) CheckpointStore.Save(path, state);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[12] = (byte)'x'; // the JSON header's first character
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(path));
        Assert.StartsWith($"{path}: the checkpoint header is corrupt", ex.Message);
    }

    [Fact]
    public void Saving_over_a_checkpoint_replaces_it_whole()
    {
        string path = Path.Combine(_dir, "c.bin");
        using (var state = Sample()) CheckpointStore.Save(path, state);
        using (var state = Sample() with { CompletedRounds = 9 }) CheckpointStore.Save(path, state);
        using var loaded = CheckpointStore.Load(path);
        Assert.Equal(9, loaded.CompletedRounds);
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

public class RunRecorderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("fedlmt-rec-").FullName;

    [Fact]
    public void A_diverged_round_is_recorded_with_nan_and_infinity_not_fatal()
    {
        using (var recorder = new RunRecorder(_dir, keepRounds: 0))
        {
            recorder.Append(new RoundRecord { Round = 1, TrainLoss = double.PositiveInfinity, TrainAccuracy = double.NaN, GlobalAccuracy = 0.1 });
            recorder.Finish(new RunSummary { Name = "d", Algorithm = "fedlmt", Model = "m", FinalGlobalAccuracy = double.NaN });
        }
        var back = Reporting.JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(_dir, "results.jsonl"), RunRecorder.Json);
        Assert.Equal(double.PositiveInfinity, Assert.Single(back).TrainLoss);
        Assert.True(double.IsNaN(back[0].TrainAccuracy));
        Assert.Contains("\"NaN\"", File.ReadAllText(Path.Combine(_dir, "summary.json")));
    }

    [Fact]
    public void A_diverged_language_model_keeps_its_infinite_perplexity_and_plots_the_finite_rounds()
    {
        // exp of a mean loss above ~709.8 is infinite: an honest diverged model, or a client reporting a huge (finite) loss.
        using (var recorder = new RunRecorder(_dir, keepRounds: 0))
        {
            recorder.Append(new RoundRecord { Round = 1, GlobalAccuracy = 0.08, GlobalPerplexity = 812.5, ClientPerplexity = 790.0 });
            recorder.Append(new RoundRecord { Round = 2, GlobalAccuracy = 0.0, GlobalPerplexity = double.NaN, ClientPerplexity = double.PositiveInfinity });
            recorder.Finish(new RunSummary { Name = "d", Algorithm = "fedlmt", Model = "m" });
        }
        var back = Reporting.JsonLinesAppender.ReadAll<RoundRecord>(Path.Combine(_dir, "results.jsonl"), RunRecorder.Json);
        Assert.Equal(double.PositiveInfinity, back[1].ClientPerplexity);
        Assert.True(File.Exists(Path.Combine(_dir, "perplexity_vs_round.png")));
        Assert.Equal([(1.0, 812.5)], RoundRecord.Points(back, r => r.Round, r => r.GlobalPerplexity));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
