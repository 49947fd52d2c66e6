namespace FedLmt.Grpc.Tests;

public class UpdateValidatorMetricsTests
{
    static Dictionary<string, double> Metrics(params (string Name, double Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void An_evaluation_reply_needs_loss_and_accuracy_in_range_and_nothing_else()
    {
        Assert.Null(UpdateValidator.CheckMetrics(Metrics(("test_loss", 0.3), ("test_accuracy", 1.0)), training: false, numExamples: 5));
        Assert.Equal("the reply lacks the metric 'test_loss'", UpdateValidator.CheckMetrics(Metrics(("test_accuracy", 0.5)), false, 5));
        Assert.Contains("'test_accuracy' = -0.1 is out of range", UpdateValidator.CheckMetrics(Metrics(("test_loss", 0.3), ("test_accuracy", -0.1)), false, 5));
        Assert.Contains("'test_loss' = NaN is out of range", UpdateValidator.CheckMetrics(Metrics(("test_loss", double.NaN), ("test_accuracy", 0.5)), false, 5));
        // Training metrics have no place in an evaluation reply.
        Assert.Contains("unknown metric 'macs' in an evaluation reply", UpdateValidator.CheckMetrics(Metrics(("test_loss", 0.3), ("test_accuracy", 0.5), ("macs", 1)), false, 5));
    }

    [Fact]
    public void A_client_without_test_data_reports_nan_honestly()
    {
        // ClientTrainer reports NaN loss and accuracy for an empty test split; the evaluation summary skips such clients.
        Assert.Null(UpdateValidator.CheckMetrics(Metrics(("test_loss", double.NaN), ("test_accuracy", double.NaN)), false, 0));
        Assert.NotNull(UpdateValidator.CheckMetrics(Metrics(("test_loss", double.PositiveInfinity), ("test_accuracy", double.NaN)), false, 0));
    }

    [Fact]
    public void A_training_reply_may_carry_the_work_metrics_but_not_negative_ones()
    {
        var ok = Metrics(("train_loss", 2.3), ("train_accuracy", 0.1), ("macs", 1e9), ("steps", 3), ("samples_processed", 100));
        Assert.Null(UpdateValidator.CheckMetrics(ok, training: true, numExamples: 100));
        ok["steps"] = -1;
        Assert.Contains("'steps' = -1 is out of range", UpdateValidator.CheckMetrics(ok, true, 100));
    }
}
