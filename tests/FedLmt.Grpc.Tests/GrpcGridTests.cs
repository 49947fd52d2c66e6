using FedLmt.Federated;
using FedLmt.Grpc.Protocol;
using FedLmt.Models;
using Google.Protobuf;
using Grpc.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Grpc.Tests;

/// <summary>The gRPC grid on loopback against hand-driven clients: good replies arrive, bad ones are refused with a reason and the round goes on.</summary>
public class GrpcGridTests
{
    const int Round = 3;

    static NamedTensors Parameters() => NamedTensors.Own(
    [
        KeyValuePair.Create("w", torch.arange(0, 12, dtype: ScalarType.Float32).reshape(4, 3)),
        KeyValuePair.Create("b", torch.tensor(new float[] { 1, 2, 3 })),
    ]);

    static TrainInstruction Instruction(int client, NamedTensors parameters) =>
        new(Round, client, new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 28, Width = 28 }, parameters.Where(_ => true), 0.1,
            new LocalTrainingConfig(), TrainPhase.AllAtOnce, 1);

    static TensorPayload WithHeader(TensorPayload p, int index, Action<TensorHeader> change)
    {
        var headers = p.Headers.Select(h => h.Clone()).ToList();
        change(headers[index]);
        return new TensorPayload(headers, p.Segments);
    }

    /// <summary>Runs one training round with a faithful client 0 and client 1 answering as <paramref name="answer"/> says.</summary>
    static async Task<(List<TrainReply> Replies, List<ClientFailure> Failures)> RoundWithAdversary(TestServer server, Func<RawClient, TaskHeader, TensorPayload, Task> answer)
    {
        await using var good = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var bad = await RawClient.ConnectAsync(server.Connection(), 1);
        server.WaitForClients(2);
        using var parameters = Parameters();
        var round = Task.Run(() => server.Grid.Train([Instruction(0, parameters), Instruction(1, parameters)]));
        var (t0, p0) = await good.ReceiveTaskAsync();
        await good.ReplyAsync(t0, p0);
        var (t1, p1) = await bad.ReceiveTaskAsync();
        await answer(bad, t1, p1);
        var result = await round.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            Assert.Equal([0], result.Replies.Select(r => r.ClientId));
            // The good reply arrives intact.
            Assert.True(result.Replies[0].Parameters["w"].equal(parameters["w"]).all().item<bool>());
            Assert.Equal(10, result.Replies[0].NumExamples);
            return (result.Replies.ToList(), result.Failures.ToList());
        }
        finally
        {
            result.Dispose();
        }
    }

    [Fact]
    public async Task Faithful_replies_arrive_bit_for_bit_in_instruction_order()
    {
        await using var server = await TestServer.StartAsync();
        using var parameters = Parameters();
        await using var a = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var b = await RawClient.ConnectAsync(server.Connection(), 1);
        server.WaitForClients(2);
        var round = Task.Run(() => server.Grid.Train([Instruction(1, parameters), Instruction(0, parameters)]));
        foreach (var c in new[] { a, b })
        {
            var (t, p) = await c.ReceiveTaskAsync();
            await c.ReplyAsync(t, p);
        }
        using var result = await round.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(result.Failures);
        Assert.Equal([1, 0], result.Replies.Select(r => r.ClientId));
        foreach (var reply in result.Replies)
            foreach (var name in parameters.Names)
                Assert.True(reply.Parameters[name].equal(parameters[name]).all().item<bool>(), name);
    }

    [Theory]
    [InlineData("shape", "has shape [3, 4], expected [4, 3]")]
    [InlineData("name", "unexpected tensor 'x'")]
    [InlineData("dtype", "has dtype Float64, expected Float32")]
    [InlineData("missing", "1 tensors, expected 2")]
    [InlineData("nan", "tensor 'w' holds NaN or infinite values")]
    [InlineData("infinity", "tensor 'b' holds NaN or infinite values")]
    [InlineData("round", $"reply for round 4, expected round 3")]
    [InlineData("weight", "num_examples 1000000, but the client registered 10")]
    [InlineData("offset", "chunk at offset 8, expected 0")]
    [InlineData("overflow", "overflows")]
    [InlineData("reported", "client 1 reported: out of memory")]
    public async Task A_bad_update_is_refused_with_its_reason_and_the_round_goes_on(string fault, string reason)
    {
        await using var server = await TestServer.StartAsync();
        var (_, failures) = await RoundWithAdversary(server, async (client, task, payload) =>
        {
            switch (fault)
            {
                case "shape": await client.ReplyAsync(task, WithHeader(payload, 0, h => { h.Shape.Clear(); h.Shape.AddRange([3L, 4L]); })); break;
                case "name": await client.ReplyAsync(task, WithHeader(payload, 0, h => h.Name = "x")); break;
                case "dtype": await client.ReplyAsync(task, WithHeader(payload, 0, h => h.Dtype = DType.Float64)); break;
                case "missing": await client.ReplyAsync(task, new TensorPayload([payload.Headers[0]], [payload.Segments[0]])); break;
                case "nan":
                    BitConverter.TryWriteBytes(payload.Segments[0].AsSpan(20), float.NaN);
                    await client.ReplyAsync(task, payload);
                    break;
                case "infinity":
                    BitConverter.TryWriteBytes(payload.Segments[1].AsSpan(4), float.PositiveInfinity);
                    await client.ReplyAsync(task, payload);
                    break;
                case "round": await client.ReplyAsync(task, payload, round: Round + 1); break;
                case "weight": await client.ReplyAsync(task, payload, numExamples: 1_000_000); break;
                case "offset":
                case "overflow":
                    var reply = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = 10 };
                    reply.Tensors.AddRange(payload.Headers);
                    await client.SendAsync(new ClientMessage { Reply = reply });
                    await client.SendAsync(new ClientMessage
                    {
                        Chunk = fault == "offset"
                            ? new TensorChunk { TaskId = task.TaskId, Offset = 8, Data = ByteString.CopyFrom(new byte[8]) }
                            : new TensorChunk { TaskId = task.TaskId, Offset = 0, Data = ByteString.CopyFrom(new byte[payload.TotalBytes + 1]) },
                    });
                    break;
                case "reported": await client.SendAsync(new ClientMessage { Failed = new TaskFailed { TaskId = task.TaskId, Reason = "out of memory" } }); break;
            }
        });
        var failure = Assert.Single(failures);
        Assert.Equal(1, failure.ClientId);
        Assert.Contains(reason, failure.Reason);
    }

    [Fact]
    public async Task An_oversize_message_ends_only_its_senders_call_and_the_server_keeps_serving()
    {
        await using var server = await TestServer.StartAsync();
        var (_, failures) = await RoundWithAdversary(server, async (client, task, payload) =>
        {
            var reply = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = 10 };
            reply.Tensors.AddRange(payload.Headers);
            await client.SendAsync(new ClientMessage { Reply = reply });
            // 5 MiB in one message: over the server's 4 MiB receive limit.
            try { await client.SendAsync(new ClientMessage { Chunk = new TensorChunk { TaskId = task.TaskId, Data = ByteString.CopyFrom(new byte[5 << 20]) } }); }
            catch (RpcException) { } // the server may end the call while the message is still going out
        });
        Assert.Contains("disconnected", Assert.Single(failures).Reason);

        // Nothing lost: the same client reconnects and the next round has both replies.
        await using var again = await RawClient.ConnectAsync(server.Connection(), 1);
        await using var other = await RawClient.ConnectAsync(server.Connection(), 0);
        server.WaitForClients(2);
        using var parameters = Parameters();
        var round = Task.Run(() => server.Grid.Train([Instruction(0, parameters), Instruction(1, parameters)]));
        foreach (var c in new[] { other, again })
        {
            var (t, p) = await c.ReceiveTaskAsync();
            await c.ReplyAsync(t, p);
        }
        using var result = await round.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0, 1], result.Replies.Select(r => r.ClientId));
        Assert.Empty(result.Failures);
    }

    [Fact]
    public async Task A_straggler_times_out_and_its_late_reply_is_ignored()
    {
        await using var server = await TestServer.StartAsync();
        server.Grid.RoundTimeout = TimeSpan.FromSeconds(1);
        var (_, failures) = await RoundWithAdversary(server, async (client, task, payload) =>
        {
            await Task.Delay(1500);
            await client.ReplyAsync(task, payload); // too late: dropped quietly
        });
        Assert.Contains("straggler", Assert.Single(failures).Reason);
    }

    [Fact]
    public async Task A_client_that_is_not_connected_fails_without_holding_up_the_round()
    {
        await using var server = await TestServer.StartAsync();
        using var parameters = Parameters();
        using var result = server.Grid.Train([Instruction(5, parameters)]);
        Assert.Empty(result.Replies);
        Assert.Equal("not connected", Assert.Single(result.Failures).Reason);
    }
}
