return FedLmt.Cli.CliApp.Create().Run(args);
