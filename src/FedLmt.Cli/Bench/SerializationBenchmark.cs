using System.Diagnostics;
using FedLmt.Federated;
using FedLmt.Grpc;
using FedLmt.Grpc.Protocol;
using FedLmt.Models;
using Google.Protobuf;

namespace FedLmt.Cli.Bench;

/// <summary>Throughput of named tensors to protobuf wire bytes and back, in GB/s (10^9 bytes of tensor data per second).</summary>
public sealed record SerializationThroughput(long PayloadBytes, int Messages, double EncodeGBps, double DecodeGBps, double DecodeValidateGBps);

/// <summary>
/// Times what the transport does to a model's state: encode (tensors copied out of libtorch, chunked, each chunk
/// serialized as a protobuf message) and decode (messages parsed, reassembled, tensors built), the latter also with
/// the value checks every update gets. No network: this is the serialization cost alone.
/// </summary>
public static class SerializationBenchmark
{
    /// <summary>
    /// Best of <paramref name="repetitions"/> after a warm-up, for the model <paramref name="spec"/> builds (default:
    /// full CIFAR ResNet-18). Messages are serialized into a reused buffer, as the transport writes into its pooled
    /// ones; decoding parses each message from its own bytes, as they arrive.
    /// </summary>
    public static SerializationThroughput Measure(ModelSpec? spec = null, int repetitions = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        spec ??= new ModelSpec { Architecture = "resnet18" };
        using var model = ModelFactory.Create(spec with { Init = Layers.FactorInit.Direct }, seed: 1);
        using var state = NamedTensors.Snapshot(model);
        var sent = TensorPayload.FromTensors(state);
        var wire = sent.Chunks(taskId: 1).Select(c => new ClientMessage { Chunk = c }.ToByteArray()).ToList();
        var buffer = new byte[TensorPayload.ChunkBytes + 1024];
        double encode = double.MaxValue, decode = double.MaxValue, validate = double.MaxValue;
        for (int r = 0; r <= repetitions; r++)
        {
            Settle();
            var watch = Stopwatch.StartNew();
            var payload = TensorPayload.FromTensors(state, SegmentPool.Shared);
            foreach (var chunk in payload.Chunks(taskId: 1))
            {
                var message = new ClientMessage { Chunk = chunk };
                message.WriteTo(buffer.AsSpan(0, message.CalculateSize()));
            }
            payload.Release();
            double e = watch.Elapsed.TotalSeconds;

            Settle();
            watch.Restart();
            var decoded = Decode(sent, wire);
            using (var tensors = decoded.ToTensors()) { }
            decoded.Release();
            double d = watch.Elapsed.TotalSeconds;

            Settle();
            watch.Restart();
            var received = Decode(sent, wire);
            if (UpdateValidator.CheckValues(received) is { } error) throw new InvalidOperationException(error);
            using (var tensors = received.ToTensors()) { }
            received.Release();
            double v = watch.Elapsed.TotalSeconds;
            if (r == 0) continue; // warm-up
            encode = Math.Min(encode, e);
            decode = Math.Min(decode, d);
            validate = Math.Min(validate, v);
        }
        double gb = sent.TotalBytes / 1e9;
        return new SerializationThroughput(sent.TotalBytes, wire.Count, gb / encode, gb / decode, gb / validate);
    }

    static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    static TensorPayload Decode(TensorPayload sent, List<byte[]> wire)
    {
        var assembler = PayloadAssembler.Create(sent.Headers, long.MaxValue, out var error) ?? throw new InvalidOperationException(error);
        foreach (var bytes in wire)
        {
            var chunk = ClientMessage.Parser.ParseFrom(bytes).Chunk;
            if (assembler.Append(chunk.Offset, chunk.Data.Span) is { } e) throw new InvalidOperationException(e);
        }
        return assembler.ToPayload();
    }
}
