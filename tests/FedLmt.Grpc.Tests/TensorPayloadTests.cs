using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Grpc.Tests;

public class TensorPayloadTests
{
    static NamedTensors Sample() => NamedTensors.Own(
    [
        KeyValuePair.Create("big", torch.arange(0, 700_000, dtype: ScalarType.Float32).reshape(700, 1000)),
        KeyValuePair.Create("small", torch.tensor(new[] { 1.5, -2.25 }, dtype: ScalarType.Float64)),
        KeyValuePair.Create("count", torch.tensor(7L)),
        KeyValuePair.Create("empty", torch.empty(new long[] { 0, 3 })),
        KeyValuePair.Create("strided", torch.arange(0, 12, dtype: ScalarType.Float32).reshape(3, 4).t()),
    ]);

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(1000)]
    [InlineData(7)]
    public void Tensors_survive_chunking_and_reassembly_bit_for_bit(int chunkBytes)
    {
        using var original = Sample();
        var payload = TensorPayload.FromTensors(original);
        var chunks = payload.Chunks(taskId: 9, chunkBytes).ToList();
        Assert.All(chunks, c => Assert.InRange(c.Data.Length, 1, chunkBytes));
        Assert.Equal(payload.TotalBytes, chunks.Sum(c => (long)c.Data.Length));

        var assembler = PayloadAssembler.Create(payload.Headers, long.MaxValue, out var error)!;
        Assert.Null(error);
        foreach (var c in chunks)
        {
            // Through protobuf bytes, as on the wire.
            var parsed = TensorChunk.Parser.ParseFrom(c.ToByteArray());
            Assert.Null(assembler.Append(parsed.Offset, parsed.Data.Span));
        }
        Assert.True(assembler.IsComplete);
        using var back = assembler.ToPayload().ToTensors();
        Assert.Equal(original.Names, back.Names);
        foreach (var name in original.Names)
        {
            Assert.Equal(original[name].shape, back[name].shape);
            Assert.Equal(original[name].dtype, back[name].dtype);
            Assert.True(original[name].equal(back[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Out_of_order_and_overflowing_chunks_are_refused()
    {
        var header = new TensorHeader { Name = "w", Dtype = DType.Float32 };
        header.Shape.Add(4);
        var assembler = PayloadAssembler.Create([header], 1000, out _)!;
        Assert.Contains("expected 0", assembler.Append(8, new byte[8]));
        Assert.Null(assembler.Append(0, new byte[8]));
        Assert.Contains("overflows", assembler.Append(8, new byte[9]));
    }

    [Fact]
    public void A_payload_over_the_limit_is_refused_before_anything_is_allocated()
    {
        var header = new TensorHeader { Name = "huge", Dtype = DType.Float64 };
        header.Shape.AddRange([1L << 20, 1L << 20]);
        Assert.Null(PayloadAssembler.Create([header], 1 << 20, out var error));
        Assert.Contains("huge", error);
        var negative = new TensorHeader { Name = "neg", Dtype = DType.Float32 };
        negative.Shape.Add(-1);
        Assert.Null(PayloadAssembler.Create([negative], 1 << 20, out error));
        Assert.Contains("unusable", error);
    }

    [Fact]
    public void The_digest_ignores_order_and_sees_every_byte()
    {
        using var tensors = Sample();
        var payload = TensorPayload.FromTensors(tensors);
        var reversed = new TensorPayload(payload.Headers.Reverse().ToList(), payload.Segments.Reverse().ToList());
        Assert.Equal(payload.Digest(_ => true), reversed.Digest(_ => true));
        var before = payload.Digest(_ => true);
        payload.Segments[1][3] ^= 1;
        Assert.NotEqual(before, payload.Digest(_ => true));
    }

    static TensorPayload Assemble(TensorPayload sent, SegmentPool pool)
    {
        var assembler = PayloadAssembler.Create(sent.Headers, long.MaxValue, out _, pool)!;
        foreach (var c in sent.Chunks(taskId: 1, chunkBytes: 4096)) Assert.Null(assembler.Append(c.Offset, c.Data.Span));
        return assembler.ToPayload();
    }

    [Fact]
    public void A_released_payload_lends_its_arrays_to_the_next_one_which_holds_only_its_own_bytes()
    {
        var pool = new SegmentPool(1L << 30);
        using var first = Sample();
        using var second = NamedTensors.Own(first.Select(e => KeyValuePair.Create(e.Key, e.Value.neg())).ToList());
        var received = Assemble(TensorPayload.FromTensors(first), pool);
        var arrays = received.Segments.Where(s => s.Length > 0).ToHashSet(ReferenceEqualityComparer.Instance);
        received.Release();
        Assert.Equal(TensorPayload.FromTensors(first).TotalBytes, pool.PooledBytes);
        Assert.Throws<ObjectDisposedException>(() => received.Segments);
        received.Release(); // a second release returns nothing twice
        Assert.Equal(TensorPayload.FromTensors(first).TotalBytes, pool.PooledBytes);

        var again = Assemble(TensorPayload.FromTensors(second), pool);
        Assert.Equal(0, pool.PooledBytes);
        Assert.All(again.Segments.Where(s => s.Length > 0), s => Assert.Contains(s, arrays)); // the same arrays, reused
        using var back = again.ToTensors();
        foreach (var name in second.Names)
            Assert.True(second[name].equal(back[name]).all().item<bool>(), name); // nothing of the first payload left
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_capacity_and_sent_payloads_are_not_pooled()
    {
        var pool = new SegmentPool(capacityBytes: 5000);
        pool.Return(new byte[3000]);
        pool.Return(new byte[3000]); // over capacity: left to the GC
        Assert.Equal(3000, pool.PooledBytes);
        Assert.Equal(3000, pool.Rent(3000).Length);
        Assert.Equal(0, pool.PooledBytes);
        Assert.Equal(2999, pool.Rent(2999).Length); // no array of that length: a new one

        using var tensors = Sample();
        var sent = TensorPayload.FromTensors(tensors);
        sent.Release(); // built from tensors, not from a pool: stays usable
        Assert.Equal(tensors.Count, sent.Segments.Count);
    }
}
