namespace FedLmt.Federated;

/// <summary>
/// Runs every client in this process with a <see cref="ClientTrainer"/>, one after another or on N worker threads. A
/// client's result depends only on its instruction and data, and replies are returned in instruction order, so the
/// worker count never changes the numbers. A client that throws becomes a <see cref="ClientFailure"/>.
/// </summary>
public sealed class InProcessGrid : IClientGrid
{
    readonly Func<int, IClientData> _dataOf;
    readonly ClientTrainer _trainer;
    readonly int _workers;

    /// <summary>Serves clients whose data <paramref name="dataOf"/> gives, <paramref name="workers"/> at a time (1: sequential).</summary>
    public InProcessGrid(Func<int, IClientData> dataOf, ClientTrainer? trainer = null, int workers = 1)
    {
        Check.Require(workers >= 1, "simulation.workers", workers, "an integer >= 1");
        _dataOf = dataOf;
        _trainer = trainer ?? new ClientTrainer();
        _workers = workers;
    }

    public GridResult<TrainReply> Train(IReadOnlyList<TrainInstruction> instructions) =>
        Run(instructions, i => i.ClientId, (i, d) => _trainer.Train(i, d));

    public GridResult<EvaluateReply> Evaluate(IReadOnlyList<EvaluateInstruction> instructions) =>
        Run(instructions, i => i.ClientId, (i, d) => _trainer.Evaluate(i, d));

    GridResult<TReply> Run<TInstruction, TReply>(IReadOnlyList<TInstruction> instructions, Func<TInstruction, int> clientOf,
        Func<TInstruction, IClientData, TReply> work) where TReply : class
    {
        var replies = new TReply?[instructions.Count];
        var failures = new ClientFailure?[instructions.Count];
        void RunOne(int i)
        {
            int client = clientOf(instructions[i]);
            try
            {
                replies[i] = work(instructions[i], _dataOf(client));
            }
            catch (Exception e)
            {
                failures[i] = new ClientFailure(client, $"{e.GetType().Name}: {e.Message}");
            }
        }
        if (_workers == 1) for (int i = 0; i < instructions.Count; i++) RunOne(i);
        else Parallel.For(0, instructions.Count, new ParallelOptions { MaxDegreeOfParallelism = _workers }, RunOne);
        return new GridResult<TReply>(replies.OfType<TReply>().ToList(), failures.OfType<ClientFailure>().ToList());
    }
}
