using System.Globalization;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Trust;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// <c>trust</c> in a sweep: one <see cref="TrustSettings"/> per run. A sweep's seed goes into
/// <see cref="TrustSettings.Seed"/>, the first seed of the measured nets and of the slice runs (leave
/// <c>seeds</c> and <c>slices.seeds</c> at 1 in <c>base</c> and let the sweep's seed axis give the spread).
/// Metrics: the measured change over the product bound per direction, depth and ε
/// (<c>gradient.L16.e0.1.ratio</c>; over the run's own seeds, a geometric mean), and per slice net the
/// peak relative change of the first layer's gradient over every move and checkpoint
/// (<c>mlp-16.peak_grad_change</c>) and the peak loss ratio (<c>mlp-16.peak_loss_ratio</c>).
/// </summary>
public static class TrustEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<TrustSettings> Experiment = new()
    {
        Name = "trust",
        Description = "deep relative trust over depth and the curvature slices (hybrid trust)",
        DefaultSettings = TrustSettings.Default with { Seeds = 1, Slices = TrustSettings.Default.Slices with { Seeds = 1 } },
        Check = s => s.Validate(),
        Estimate = Cost,
        // lower is "more trustworthy": the function moved less than the bound allows / the gradient changed less
        Headlines = s => s.Directions.SelectMany(d => s.Depths.Select(l => new HeadlineMetric($"{Key(d, l, s.Epsilons.Max())}.ratio", false)))
            .Concat(s.Slices.Nets.Select(n => new HeadlineMetric($"{n}.peak_grad_change", false))).ToList(),
        Execute = Run,
    };

    /// <summary>"gradient.L16.e0.1": the metric prefix of one (direction, depth, ε).</summary>
    public static string Key(string direction, int layers, double epsilon) =>
        string.Create(CultureInfo.InvariantCulture, $"{direction}.L{layers:D2}.e{epsilon:G3}");

    // forward passes of the measured nets (each direction and ε: one perturbed pass, plus the reference and one
    // gradient) and the slice nets' training, in multiply-adds, as CostModel counts them
    private static double Cost(TrustSettings s)
    {
        double bound = s.Seeds * s.Depths.Sum(l =>
            (double)s.Examples * (s.Width * 784.0 + (l - 1) * (double)s.Width * s.Width) * (2 + 3 + s.Directions.Length * s.Epsilons.Length));
        double slices = s.SlicePoints.Sum(p =>
        {
            double perExample = p.Width * 784.0 + (p.Layers - 1) * (double)p.Width * p.Width;
            double train = 3.0 * perExample * (p.Data.TrainSize ?? 60_000) * p.Epochs;
            double slice = 3.0 * perExample * p.SliceExamples * p.Checkpoints.Length * (p.Moves.Length + 1);
            return train + slice;
        });
        return bound + slices;
    }

    private static ExperimentOutcome Run(TrustSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (bounds, slices) = TrustExperiment.Run(s, folder, resume: folder.Has("config.json"), body => body(observer), cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in bounds.SelectMany(b => b.Rows.Select(r => (b.Point.Layers, Row: r))).GroupBy(x => Key(x.Row.Direction, x.Layers, x.Row.Epsilon)))
            metrics[$"{g.Key}.ratio"] = GeometricMean(g.Select(x => x.Row.Ratio));
        foreach (var g in slices.Where(r => r.Curves.Count > 0).GroupBy(r => $"{r.Point.Net}-{r.Point.Layers}"))
        {
            metrics[$"{g.Key}.peak_grad_change"] = GeometricMean(g.Select(r => r.Curves.Max(c => c.GradChange.Max())));
            metrics[$"{g.Key}.peak_loss_ratio"] = GeometricMean(g.Select(r => r.Curves.Max(c => c.Loss.Max() / c.Loss[0])));
        }
        int expected = s.BoundPoints.Count + s.SlicePoints.Count, done = bounds.Count + slices.Count(r => r.Status != "cancelled");
        string status = done < expected || cancel.IsCancellationRequested ? ExperimentOutcome.Cancelled : ExperimentOutcome.Completed;
        return new ExperimentOutcome(status, $"{bounds.Count} bound nets, {slices.Count} slice runs", metrics,
            new SortedDictionary<string, double>(StringComparer.Ordinal));
    }

    private static double GeometricMean(IEnumerable<double> values)
    {
        var v = values.ToList();
        return v.Count == 0 ? double.NaN : Math.Exp(v.Average(Math.Log));
    }
}
