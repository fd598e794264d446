using System.Globalization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Depth;

/// <summary>What <c>hybrid depth</c> produced: every point's result and the summary over seeds.</summary>
public sealed record DepthResult(IReadOnlyList<PointResult> Results, DepthSummary Summary);

/// <summary>
/// <c>hybrid depth</c>: which optimisers train how deep. Trains the points of <see cref="DepthSettings"/> (each its
/// own resumable unit under points/), then writes results.csv/json, summary.json, report.md, the depth ×
/// optimiser heatmap, accuracy against depth and the learning curves. In a sweep, a run is one grid (its
/// seed goes into <see cref="DepthSettings.Seed"/>; leave <c>seeds</c> at 1 in <c>base</c>); metrics per
/// (optimiser, depth) at its best learning rate, <c>sgd.d04.train_accuracy</c>, <c>sgd.d04.best_lr</c>, and per
/// optimiser <c>sgd.deepest_trainable</c> (0: none).
/// </summary>
public sealed class DepthExperiment : Experiment<DepthSettings, DepthResult>
{
    /// <inheritdoc />
    public override string Name => "depth";
    /// <inheritdoc />
    public override string Description => "Which optimisers train how deep: MLPs at each depth, every optimiser over learning-rate decades; " +
                                          "a depth × optimiser heatmap of the best final-epoch train accuracy, the deepest trainable depth, learning curves.";
    /// <inheritdoc />
    public override string ShortDescription => "which optimisers train how deep: MLP depth × optimiser × learning rate (hybrid depth)";
    /// <inheritdoc />
    public override DepthSettings Defaults => DepthSettings.Default;
    /// <inheritdoc />
    public override DepthSettings Quick => DepthSettings.Quick;
    /// <inheritdoc />
    public override DepthSettings SweepDefaults => DepthSettings.Default with { Seeds = 1 };
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<DepthSettings>> DefineOptions(OptionBuilder<DepthSettings> o) =>
    [
        o.Optimizers(s => s.Optimizers, (s, v) => s with { Optimizers = v }),
        o.LrSpan(s => s.LrSpan, (s, v) => s with { LrSpan = v }, "1: default×{10, 1, 0.1}"),
        o.Depths(s => s.Depths, (s, v) => s with { Depths = v }),
        o.Width(s => s.Width, (s, v) => s with { Width = v }, "Units per hidden layer (the authors: 784)."),
        o.Epochs(s => s.Epochs, (s, v) => s with { Epochs = v }, "Epochs per run: the horizon."),
        o.BatchSize(s => s.BatchSize, (s, v) => s with { BatchSize = v }),
        o.LrDecay(s => s.LrDecay, (s, v) => s with { LrDecay = v }),
        o.Seeds(s => s.Seeds, (s, v) => s with { Seeds = v }),
        o.Number("--threshold", "Train accuracy at which a depth counts as trainable.", (s, v) => s with { Threshold = v }, s => s.Threshold),
        o.Model(s => s.Model, (s, v) => s with { Model = v }, string.Join(", ", TrainingPoint.ModelNames)),
        .. PointOptions.Data(o, s => s.Data, (s, change) => s with { Data = change(s.Data) }),
    ];

    /// <inheritdoc />
    public override void Validate(DepthSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(DepthSettings s) => PointRunner.Cost(s.Points);

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(DepthSettings s) =>
        (from opt in s.Optimizers from d in s.Depths select new HeadlineMetric($"{Key(opt, d)}.train_accuracy", true)).ToList();

    /// <inheritdoc />
    /// <remarks>Every metric but <c>diverged_points</c> begins with its optimiser.</remarks>
    public override IReadOnlyList<string> MetricKeys(DepthSettings s) => s.Optimizers;

    /// <summary>"sgd.d04": the metric prefix of one (optimiser, depth).</summary>
    public static string Key(string optimizer, int depth) => string.Create(CultureInfo.InvariantCulture, $"{optimizer}.d{depth:D2}");

    /// <inheritdoc />
    public override DepthResult Run(DepthSettings s, ExperimentContext context)
    {
        using var cache = new DataCache();
        var (results, data, note) = PointRunner.RunGrid(context, s.Data, s.Points, cache);
        var summary = DepthSummary.From(s, results, data.Classes);
        DepthReport.Write(context.Folder, s, results, summary, note, data.Summary);
        return new DepthResult(results, summary);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(DepthSettings s, DepthResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var b in r.Summary.Best)
        {
            metrics[$"{Key(b.Optimizer, b.Depth)}.train_accuracy"] = b.Accuracy.Mean;
            metrics[$"{Key(b.Optimizer, b.Depth)}.best_lr"] = b.Lr;
        }
        foreach (var (opt, deepest) in r.Summary.Deepest) metrics[$"{opt}.deepest_trainable"] = deepest ?? 0;
        metrics["diverged_points"] = r.Results.Count(x => x.Diverged);

        var inv = CultureInfo.InvariantCulture;
        var rows = s.Depths.Select(d => (IReadOnlyList<string>)[d.ToString(inv), .. s.Optimizers.Select(opt =>
            r.Summary.Best.FirstOrDefault(b => b.Optimizer == opt && b.Depth == d) is { } b
                ? $"{b.Accuracy.Format("F1", 100)}% @ {b.Lr.ToString("G3", inv)}{(b.Trainable ? " *" : "")}" : "—")]);
        var summary = ConsoleSummary.Empty
            .Table(["depth", .. s.Optimizers], rows, [true, .. s.Optimizers.Select(_ => true)])
            .Note(string.Create(inv, $"best final-epoch train accuracy (mean ± 95 % interval over seeds) @ its learning rate; * trainable (≥ {100 * s.Threshold:G3}%)."));
        foreach (var opt in s.Optimizers)
            summary = summary.Line($"{opt}: deepest trainable depth {r.Summary.Deepest[opt]?.ToString(inv) ?? "none"}");
        return PointRunner.Outcome(s.Points, r.Results, metrics, summary);
    }
}
