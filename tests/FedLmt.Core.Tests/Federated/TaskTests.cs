using FedLmt.Federated;
using TorchSharp;
using static TorchSharp.torch;

namespace FedLmt.Core.Tests.Federated;

/// <summary>The classification task scores images (one class each) and sequences (one class per position) alike, as the formulas say.</summary>
public class TaskTests
{
    /// <summary>Cross-entropy of one row by the formula: log(sum exp(z)) - z[target], in float64.</summary>
    static double CrossEntropy(double[] z, int target) => Math.Log(z.Sum(Math.Exp)) - z[target];

    [Fact]
    public void An_image_batch_is_scored_by_the_cross_entropy_formula_and_its_argmax()
    {
        double[][] logits = [[2, 0, -1], [0.5, 0.1, 3], [1, 1.5, 0]];
        int[] targets = [0, 1, 1];
        using var output = tensor(logits.SelectMany(r => r).Select(v => (float)v).ToArray(), [3, 3]);
        using var target = tensor(targets.Select(t => (long)t).ToArray(), [3]);

        var score = Classification.Instance.Score(output, target);

        double expected = logits.Select((z, i) => CrossEntropy(z, targets[i])).Sum();
        Assert.Equal(expected, score.LossSum, tolerance: 1e-5);
        Assert.Equal(2, score.Hits); // rows 0 and 2 predict their target; row 1 predicts class 2
        Assert.Equal(3, score.Predictions);
        using var mean = Classification.Instance.Loss(output, target);
        Assert.Equal(expected / 3, mean.item<float>(), tolerance: 1e-5);
    }

    [Fact]
    public void A_sequence_batch_is_one_prediction_per_position()
    {
        // Batch 2, 3 positions, vocabulary 4: each position scored as its own row.
        using var g = new Generator(5);
        using var output = randn([2, 3, 4], generator: g);
        using var target = tensor(new long[] { 0, 3, 1, 2, 2, 0 }, [2, 3]);
        var values = output.data<float>().ToArray();
        double expected = 0;
        long hits = 0;
        for (int p = 0; p < 6; p++)
        {
            var row = values.Skip(4 * p).Take(4).Select(v => (double)v).ToArray();
            int t = (int)target.reshape(-1)[p].item<long>();
            expected += CrossEntropy(row, t);
            if (Array.IndexOf(row, row.Max()) == t) hits++;
        }

        var score = Classification.Instance.Score(output, target);

        Assert.Equal(expected, score.LossSum, tolerance: 1e-5);
        Assert.Equal(hits, score.Hits);
        Assert.Equal(6, score.Predictions);
        using var mean = Classification.Instance.Loss(output, target);
        var tally = Classification.Instance.Tally(mean, output, target);
        Assert.Equal(score.LossSum, tally.LossSum, tolerance: 1e-5);
        Assert.Equal(score.Hits, tally.Hits);
        Assert.Equal(score.Predictions, tally.Predictions);
    }

    [Fact]
    public void The_evaluator_averages_over_predictions_and_counts_examples()
    {
        // A per-position model: embedding of the token, read out by a fixed linear map.
        using var model = nn.Sequential(nn.Embedding(5, 4), nn.Linear(4, 5));
        using var g = new Generator(11);
        var batches = new List<(Tensor, Tensor)>();
        var score = default(BatchScore);
        for (int b = 0; b < 3; b++)
        {
            var x = randint(0, 5, [2, 7], generator: g, dtype: ScalarType.Int64);
            var y = randint(0, 5, [2, 7], generator: g, dtype: ScalarType.Int64);
            using (no_grad()) score += Classification.Instance.Score(model.call(x), y);
            batches.Add((x, y));
        }

        var result = ModelEvaluator.Evaluate(model, batches);

        Assert.Equal(6, result.Count); // examples (sequences), what a client's test count is
        Assert.Equal(42, score.Predictions);
        Assert.Equal(score.LossSum / 42, result.Loss, tolerance: 1e-6);
        Assert.Equal((double)score.Hits / 42, result.Accuracy, 12);
    }

    [Fact]
    public void An_output_without_a_class_dimension_is_refused()
    {
        using var output = zeros(4);
        using var target = zeros(4, ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => Classification.Instance.Score(output, target));
        Assert.Contains("class dimension", e.Message);
    }
}
