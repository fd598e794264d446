using System.Globalization;
using Hybrid.Experiments.Depth;
using Hybrid.Experiments.Grid;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Transfer;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// <c>depth</c> in a sweep: one <see cref="DepthSettings"/> grid per run (its own points/ resume
/// point by point). A sweep's seed goes into <see cref="DepthSettings.Seed"/>, the first seed, so
/// leave <c>seeds</c> at 1 in <c>base</c> and let the sweep's seed axis give the spread.
/// Metrics per (optimiser, depth) at its best learning rate: <c>sgd.d04.train_accuracy</c>,
/// <c>sgd.d04.best_lr</c>; per optimiser <c>sgd.deepest_trainable</c> (0: none).
/// </summary>
public static class DepthEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<DepthSettings> Experiment = new()
    {
        Name = "depth",
        Description = "which optimisers train how deep: MLP depth × optimiser × learning rate (hybrid depth)",
        DefaultSettings = DepthSettings.Default with { Seeds = 1 },
        Check = s => s.Validate(),
        Estimate = s => GridCost.Of(s.Points),
        Headlines = s => (from opt in s.Optimizers from d in s.Depths select new HeadlineMetric($"{Key(opt, d)}.train_accuracy", true)).ToList(),
        Execute = Run,
    };

    /// <summary>"sgd.d04": the metric prefix of one (optimiser, depth).</summary>
    public static string Key(string optimizer, int depth) => string.Create(CultureInfo.InvariantCulture, $"{optimizer}.d{depth:D2}");

    private static ExperimentOutcome Run(DepthSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (results, summary) = DepthExperiment.Run(s, folder, resume: folder.Has("config.json"), body => body(observer), cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var b in summary.Best)
        {
            metrics[$"{Key(b.Optimizer, b.Depth)}.train_accuracy"] = b.Accuracy.Mean;
            metrics[$"{Key(b.Optimizer, b.Depth)}.best_lr"] = b.Lr;
        }
        foreach (var (opt, deepest) in summary.Deepest) metrics[$"{opt}.deepest_trainable"] = deepest ?? 0;
        metrics["diverged_points"] = results.Count(r => r.Diverged);
        return GridCost.Outcome(results, metrics);
    }
}

/// <summary>
/// <c>transfer</c> in a sweep: one <see cref="TransferSettings"/> grid per run. A sweep's seed goes
/// into <see cref="TransferSettings.Seed"/> (leave <c>seeds</c> at 1 in <c>base</c>). Metrics per
/// optimiser and architecture, the lowest final training loss over the learning rates and where it
/// is (<c>adam.w0016.d01.best_loss</c>, <c>…best_lr</c>), and per slice the shift of the best rate
/// in decades (<c>adam.width.shift_decades</c>; left out where fewer than two values train).
/// </summary>
public static class TransferEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<TransferSettings> Experiment = new()
    {
        Name = "transfer",
        Description = "does the best learning rate stay put across width and depth (hybrid transfer)",
        DefaultSettings = TransferSettings.Default with { Seeds = 1 },
        Check = s => s.Validate(),
        Estimate = s => GridCost.Of(s.Points),
        Headlines = s => (from opt in s.Optimizers from a in s.Architectures
                          select new HeadlineMetric($"{Key(opt, a.Width, a.Depth)}.best_loss", false)).ToList(),
        Execute = Run,
    };

    /// <summary>"adam.w0016.d01": the metric prefix of one (optimiser, width, depth).</summary>
    public static string Key(string optimizer, int width, int depth) =>
        string.Create(CultureInfo.InvariantCulture, $"{optimizer}.w{width:D4}.d{depth:D2}");

    private static ExperimentOutcome Run(TransferSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (results, summary) = TransferExperiment.Run(s, folder, resume: folder.Has("config.json"), body => body(observer), cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var group in summary.Cells.GroupBy(c => (c.Optimizer, c.Width, c.Depth)))
        {
            var best = group.Where(c => double.IsFinite(c.Loss.Mean)).MinBy(c => c.Loss.Mean);
            if (best is null) continue; // every rate diverged: no loss to report
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.best_loss"] = best.Loss.Mean;
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.best_lr"] = best.Lr;
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.accuracy_at_best"] = best.Accuracy.Mean;
        }
        foreach (var slice in summary.Slices)
            if (double.IsFinite(slice.ShiftDecades)) metrics[$"{slice.Optimizer}.{slice.Axis}.shift_decades"] = slice.ShiftDecades;
        metrics["diverged_points"] = results.Count(r => r.Diverged);
        return GridCost.Outcome(results, metrics);
    }
}

/// <summary>Cost and outcome shared by the grid experiments (depth, transfer).</summary>
internal static class GridCost
{
    /// <summary>The training cost of every point (<see cref="CostModel.Training"/>).</summary>
    public static double Of(IEnumerable<TrainingPoint> points) =>
        points.Sum(p => CostModel.Training(p.Model, p.Depth, p.Width, p.Bias, p.Data.Data, p.Data.TrainSize, p.Epochs));

    /// <summary>Cancelled when any point was stopped (it resumes next time); a diverged point is a result, not a failure.</summary>
    public static ExperimentOutcome Outcome(IReadOnlyList<PointResult> results, IReadOnlyDictionary<string, double> metrics)
    {
        int cancelled = results.Count(r => r.Status == "cancelled");
        string status = cancelled > 0 ? ExperimentOutcome.Cancelled : ExperimentOutcome.Completed;
        string message = $"{results.Count} points: {results.Count(r => r.Completed)} completed, {results.Count(r => r.Diverged)} diverged, {cancelled} cancelled";
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["point_seconds"] = results.Sum(r => r.Seconds) };
        return new ExperimentOutcome(status, message, metrics, timing);
    }
}
