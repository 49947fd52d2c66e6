using FedLmt.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("fedlmt");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Rerunnable benchmarks; their figures are recorded in docs/BENCHMARKS.md.");
        bench.AddCommand<BenchModelsCommand>("models")
            .WithDescription("Training-step throughput of full vs low-rank ResNet-18 (1x28x28) and the small CNN's per-step overhead.");
    });
});
return app.Run(args);
