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
        new(Round, client, new ModelSpec { Architecture = "mlp", InChannels = 1, Height = 28, Width = 28 }, parameters.View(), 0.1,
            new LocalTrainingConfig(), TrainPhase.AllAtOnce, 1);

    /// <summary>A well-formed training reply header (the metrics a strategy needs), for faults further down the stream.</summary>
    static ReplyHeader TrainingReply(TaskHeader task)
    {
        var reply = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = 10 };
        reply.Metrics["train_loss"] = 0.5;
        reply.Metrics["train_accuracy"] = 0.75;
        return reply;
    }

    static TensorPayload WithHeader(TensorPayload p, int index, Action<TensorHeader> change)
    {
        var headers = p.Headers.Select(h => h.Clone()).ToList();
        change(headers[index]);
        return new TensorPayload(headers, p.Segments);
    }

    /// <summary>
    /// One training round of the connected clients 0 and 1: client 0 replies faithfully, client 1 as <paramref name="answer"/>
    /// says. The caller disposes the result.
    /// </summary>
    static async Task<GridResult<TrainReply>> TrainRound(TestServer server, RawClient good, RawClient other, NamedTensors parameters,
        Func<RawClient, TaskHeader, TensorPayload, Task> answer)
    {
        server.WaitForClients(2);
        var round = Task.Run(() => server.Grid.Train([Instruction(0, parameters), Instruction(1, parameters)]));
        var (t0, p0) = await good.ReceiveTaskAsync();
        await good.ReplyAsync(t0, p0);
        var (t1, p1) = await other.ReceiveTaskAsync();
        await answer(other, t1, p1);
        return await round.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs one training round with a faithful client 0 and client 1 answering as <paramref name="answer"/> says.</summary>
    static async Task<(List<TrainReply> Replies, List<ClientFailure> Failures)> RoundWithAdversary(TestServer server, Func<RawClient, TaskHeader, TensorPayload, Task> answer)
    {
        await using var good = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var bad = await RawClient.ConnectAsync(server.Connection(), 1);
        using var parameters = Parameters();
        var result = await TrainRound(server, good, bad, parameters, answer);
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
    [InlineData("forged-log", "client 1 reported: oom??2026-01-01 WARN client 0 dropped?[2J")]
    [InlineData("infinite-loss", "metric 'train_loss' = Infinity is out of range (finite and >= 0)")]
    [InlineData("accuracy", "metric 'train_accuracy' = 1000000000 is out of range (an accuracy is in [0, 1])")]
    [InlineData("unknown-metric", "unknown metric 'client_macs_bonus' in a training reply")]
    [InlineData("missing-metric", "the reply lacks the metric 'train_accuracy'")]
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
                    var reply = TrainingReply(task);
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
                case "forged-log": // a reason that would forge a log line and clear the operator's terminal
                    await client.SendAsync(new ClientMessage { Failed = new TaskFailed { TaskId = task.TaskId, Reason = "oom\r\n2026-01-01 WARN client 0 dropped\u001b[2J" + new string('x', 10_000) } });
                    break;
                case "infinite-loss": await client.ReplyAsync(task, payload, edit: r => r.Metrics["train_loss"] = double.PositiveInfinity); break;
                case "accuracy": await client.ReplyAsync(task, payload, edit: r => r.Metrics["train_accuracy"] = 1e9); break;
                case "unknown-metric": await client.ReplyAsync(task, payload, edit: r => r.Metrics["client_macs_bonus"] = 1); break;
                case "missing-metric": await client.ReplyAsync(task, payload, edit: r => r.Metrics.Remove("train_accuracy")); break;
            }
        });
        var failure = Assert.Single(failures);
        Assert.Equal(1, failure.ClientId);
        Assert.Contains(reason, failure.Reason);
    }

    [Fact]
    public async Task A_refused_client_is_told_why()
    {
        await using var server = await TestServer.StartAsync();
        await using var good = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var bad = await RawClient.ConnectAsync(server.Connection(), 1);
        using var parameters = Parameters();
        long refusedTask = 0;
        using var result = await TrainRound(server, good, bad, parameters, (client, task, payload) =>
        {
            refusedTask = task.TaskId;
            return client.ReplyAsync(task, payload, numExamples: 1_000_000);
        });
        Assert.Single(result.Failures);

        var outcome = (await bad.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(30))).Outcome;
        Assert.NotNull(outcome);
        Assert.Equal(refusedTask, outcome.TaskId);
        Assert.False(outcome.Accepted);
        Assert.Contains("refused: num_examples 1000000, but the client registered 10", outcome.Reason);
    }

    [Fact]
    public async Task Work_metrics_are_the_servers_own_count_whatever_a_client_claims()
    {
        await using var server = await TestServer.StartAsync();
        await using var honest = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var boaster = await RawClient.ConnectAsync(server.Connection(), 1);
        using var parameters = Parameters();
        using var result = await TrainRound(server, honest, boaster, parameters, (client, task, payload) => client.ReplyAsync(task, payload, edit: r =>
        {
            r.Metrics["macs"] = 1e300;
            r.Metrics["steps"] = 1e9;
            r.Metrics["samples_processed"] = 1e12;
        }));
        Assert.Empty(result.Failures);
        // 10 registered examples, 1 epoch of batch 32 (LocalTrainingConfig's defaults): 1 step, 10 samples, and the MLP's
        // forward MACs per sample x 3 x 10 - for both clients alike.
        using var probe = Instruction(0, parameters);
        long macsPerSample = ModelCostCatalog.Shared.Of(probe.Spec).MacsPerSample;
        foreach (var reply in result.Replies)
        {
            Assert.Equal(macsPerSample * 3.0 * 10, reply.Metrics["macs"]);
            Assert.Equal(1, reply.Metrics["steps"]);
            Assert.Equal(10, reply.Metrics["samples_processed"]);
            Assert.Equal(0.5, reply.Metrics["train_loss"]); // what only the client can know stays its report
        }
    }

    [Fact]
    public async Task An_evaluation_reply_without_its_accuracy_is_refused_and_the_evaluation_summary_still_forms()
    {
        // Before: such a reply passed validation and the summary threw KeyNotFoundException, ending the server.
        await using var server = await TestServer.StartAsync();
        await using var good = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var bad = await RawClient.ConnectAsync(server.Connection(), 1);
        server.WaitForClients(2);
        using var parameters = Parameters();
        var spec = Instruction(0, parameters).Spec;
        var instructions = new[] { new EvaluateInstruction(Round, 0, spec, parameters.View(), 100), new EvaluateInstruction(Round, 1, spec, parameters.View(), 100) };
        var evaluation = Task.Run(() => server.Grid.Evaluate(instructions));
        foreach (var (client, accuracy) in new[] { (good, (double?)0.8), (bad, null) })
        {
            var (task, _) = await client.ReceiveTaskAsync();
            var reply = new ReplyHeader { TaskId = task.TaskId, Round = task.Round, NumExamples = 5 };
            reply.Metrics["test_loss"] = 0.4;
            if (accuracy is double a) reply.Metrics["test_accuracy"] = a;
            await client.SendAsync(new ClientMessage { Reply = reply });
        }
        using var result = await evaluation.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0], result.Replies.Select(r => r.ClientId));
        Assert.Contains("lacks the metric 'test_accuracy'", Assert.Single(result.Failures).Reason);
        var summary = EvaluationSummary.From(Round, result.Replies, result.Failures);
        Assert.Equal(0.8, summary.MeanAccuracy);
        Assert.Equal(1, summary.Failures);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_instead_of_the_server_keeping_a_model_for_it()
    {
        await using var server = await TestServer.StartAsync();
        server.Grid.RoundTimeout = TimeSpan.FromSeconds(2);
        await using var good = await RawClient.ConnectAsync(server.Connection(), 0);
        await using var rogue = await RawClient.ConnectAsync(server.Connection(), 1); // registers, then never reads again
        server.WaitForClients(2);
        // 32 MB of tensors: more than the transport's windows and buffers take in, so most of it stays queued.
        using var parameters = NamedTensors.Own([KeyValuePair.Create("w", torch.zeros(8 << 20))]);
        var round = Task.Run(() => server.Grid.Train([Instruction(0, parameters), Instruction(1, parameters)]));
        var (task, payload) = await good.ReceiveTaskAsync();
        await good.ReplyAsync(task, payload);
        using (var result = await round.WaitAsync(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal([0], result.Replies.Select(r => r.ClientId));
            Assert.Contains("straggler", Assert.Single(result.Failures).Reason);
        }
        // Dropped with its queue: the session is gone from the registry, and the next round does not queue for it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Registry.Get(1) is not null && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Null(server.Registry.Get(1));
        Assert.Equal(1, server.Registry.Count);
        var next = Task.Run(() => server.Grid.Train([Instruction(0, parameters), Instruction(1, parameters)]));
        (task, payload) = await good.ReceiveTaskAsync();
        await good.ReplyAsync(task, payload);
        using var second = await next.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0], second.Replies.Select(r => r.ClientId));
        Assert.Equal("not connected", Assert.Single(second.Failures).Reason);
    }

    [Fact]
    public async Task An_oversize_message_ends_only_its_senders_call_and_the_server_keeps_serving()
    {
        await using var server = await TestServer.StartAsync();
        var (_, failures) = await RoundWithAdversary(server, async (client, task, payload) =>
        {
            var reply = TrainingReply(task);
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
