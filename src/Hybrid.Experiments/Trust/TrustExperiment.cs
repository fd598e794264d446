using System.Globalization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Trust;

/// <summary>One finished <see cref="BoundPoint"/> (the result of its unit.json).</summary>
public sealed record BoundResult(BoundPoint Point, IReadOnlyList<TrustRow> Rows);

/// <summary>What <c>hybrid trust</c> produced: the bound measurements and the slice runs.</summary>
public sealed record TrustResult(IReadOnlyList<BoundResult> Bounds, IReadOnlyList<SliceResult> Slices);

/// <summary>
/// <c>hybrid trust</c>: the deep-relative-trust measurements (one unit per depth and seed under bound/) and the
/// curvature slices (one run folder per net and seed under slices/), then results.csv/json, summary.json,
/// report.md and the plots; resumable unit by unit. In a sweep the seed goes into <see cref="TrustSettings.Seed"/>,
/// the first seed of the measured nets and of the slice runs (leave <c>seeds</c> and <c>slices.seeds</c> at 1 in
/// <c>base</c>). Metrics: the measured change over the product bound per direction, depth and ε
/// (<c>gradient.L16.e0.1.ratio</c>; over the run's own seeds, a geometric mean), and per slice net the peak
/// relative change of the first layer's gradient (<c>mlp-16.peak_grad_change</c>) and the peak loss ratio
/// (<c>mlp-16.peak_loss_ratio</c>).
/// </summary>
public sealed class TrustExperiment : Experiment<TrustSettings, TrustResult>
{
    /// <inheritdoc />
    public override string Name => "trust";
    /// <inheritdoc />
    public override string Description => "Measure deep relative trust: ‖Δf‖/‖f‖ of bias-free ReLU MLPs against Π(1+‖ΔW_k‖/‖W_k‖) − 1 over depth, " +
                                          "for radial, random and gradient perturbations; and the curvature slices of a shallow, a deep and a residual net.";
    /// <inheritdoc />
    public override string ShortDescription => "deep relative trust over depth and the curvature slices (hybrid trust)";
    /// <inheritdoc />
    public override TrustSettings Defaults => TrustSettings.Default;
    /// <inheritdoc />
    public override TrustSettings Quick => TrustSettings.Quick;
    /// <inheritdoc />
    public override TrustSettings SweepDefaults => TrustSettings.Default with { Seeds = 1, Slices = TrustSettings.Default.Slices with { Seeds = 1 } };
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<TrustSettings>> DefineOptions(OptionBuilder<TrustSettings> o) =>
    [
        o.Ints("--depths", "Weight layers L of the measured nets.", (s, v) => s with { Depths = v }, s => s.Depths),
        o.Width(s => s.Width, (s, v) => s with { Width = v }, "Their width."),
        o.Numbers("--epsilons", "Relative perturbation sizes ε > 0.", (s, v) => s with { Epsilons = v }, s => s.Epsilons),
        o.Names("--directions", $"Perturbation directions: {string.Join(", ", TrustSettings.DirectionNames)}.", (s, v) => s with { Directions = v }, s => s.Directions),
        o.Int("--examples", "Training inputs f is evaluated on.", (s, v) => s with { Examples = v }, s => s.Examples),
        o.Seeds(s => s.Seeds, (s, v) => s with { Seeds = v }, "Nets per depth"),
        o.Names("--slice-nets", "Curvature-slice nets as kind-layers (mlp-16, residual-mlp-16), or none.", (s, v) => s with { Slices = s.Slices with { Nets = v } }, s => s.Slices.Nets),
        o.Int("--slice-width", "Their width (the authors: 784).", (s, v) => s with { Slices = s.Slices with { Width = v } }, s => s.Slices.Width),
        o.Text("--slice-optimizer", "Trains them.", (s, v) => s with { Slices = s.Slices with { Optimizer = v } }, s => s.Slices.Optimizer),
        o.Number("--slice-lr", string.Create(CultureInfo.InvariantCulture, $"Its learning rate (×{TrustSettings.Default.Slices.LrDecay} per epoch)."),
            (s, v) => s with { Slices = s.Slices with { Lr = v } }, s => s.Slices.Lr),
        o.Int("--slice-epochs", "Training epochs.", (s, v) => s with { Slices = s.Slices with { Epochs = v } }, s => s.Slices.Epochs),
        o.Numbers("--slice-checkpoints", "Where slices are taken, in epochs.", (s, v) => s with { Slices = s.Slices with { Checkpoints = v } }, s => s.Slices.Checkpoints),
        o.Numbers("--slice-moves", "Relative moves t > 0 of every layer.", (s, v) => s with { Slices = s.Slices with { Moves = v } }, s => s.Slices.Moves),
        o.Int("--slice-examples", "Examples of a slice's full-batch gradient.", (s, v) => s with { Slices = s.Slices with { SliceExamples = v } }, s => s.Slices.SliceExamples),
        o.Int("--slice-seeds", "Runs per slice net.", (s, v) => s with { Slices = s.Slices with { Seeds = v } }, s => s.Slices.Seeds),
        // one data for both parts: each option changes the measured nets' and the slice nets' data alike
        .. PointOptions.Data(o, s => s.Data, (s, change) => s with { Data = change(s.Data), Slices = s.Slices with { Data = change(s.Slices.Data) } }),
    ];

    /// <inheritdoc />
    public override void Validate(TrustSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(TrustSettings s) =>
        // lower is "more trustworthy": the function moved less than the bound allows / the gradient changed less
        s.Directions.SelectMany(d => s.Depths.Select(l => new HeadlineMetric($"{Key(d, l, s.Epsilons.Max())}.ratio", false)))
            .Concat(s.Slices.Nets.Select(n => new HeadlineMetric($"{n}.peak_grad_change", false))).ToList();

    /// <summary>"gradient.L16.e0.1": the metric prefix of one (direction, depth, ε).</summary>
    public static string Key(string direction, int layers, double epsilon) =>
        string.Create(CultureInfo.InvariantCulture, $"{direction}.L{layers:D2}.e{epsilon:G3}");

    // forward passes of the measured nets (each direction and ε: one perturbed pass, plus the reference and one
    // gradient) and the slice nets' training, in multiply-adds, as CostModel counts them
    /// <inheritdoc />
    public override double Cost(TrustSettings s)
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

    /// <inheritdoc />
    public override TrustResult Run(TrustSettings settings, ExperimentContext context)
    {
        using var cache = new DataCache();
        var (data, _, note) = cache.Get(settings.Data); // bad data fails here, before the folder is written
        if (settings.Slices.Nets.Length > 0) cache.Get(settings.Slices.Data);
        if (settings.Examples > data.TrainCount)
            throw new ArgumentException($"--examples {settings.Examples} is more than the {data.TrainCount} training examples.", "examples");
        context.Begin();
        var folder = context.Folder;
        var cancel = context.Cancel;
        var (bounds, slices) = context.WithProgress(observer =>
        {
            var b = new List<BoundResult>();
            foreach (var p in settings.BoundPoints)
            {
                if (cancel.IsCancellationRequested) break;
                b.Add(RunBound(p, new RunFolder(Path.Combine(folder.Path, "bound", p.Key)), cache, observer));
            }
            var s = new List<SliceResult>();
            foreach (var p in settings.SlicePoints)
            {
                if (cancel.IsCancellationRequested) break;
                s.Add(CurvatureSlices.Run(p, new RunFolder(Path.Combine(folder.Path, "slices", p.Key)), cache, observer, cancel));
            }
            return (b, s);
        });
        TrustReport.Write(folder, settings, bounds, slices, note, data.Summary);
        return new TrustResult(bounds, slices);
    }

    /// <summary>Measures one depth and seed, or reads it back when its folder holds it.</summary>
    public static BoundResult RunBound(BoundPoint p, RunFolder folder, DataCache cache, ITrainingObserver observer)
    {
        if (UnitStore.Find<BoundPoint, BoundResult>(folder, p) is { } done) return done;
        var (data, normalization, _) = cache.Get(p.Data);
        using var raw = data.TrainX.narrow(0, 0, p.Examples);
        using var normalized = normalization.Apply(raw);
        using var x = normalized.reshape(p.Examples, -1);
        using var y = data.TrainY.narrow(0, 0, p.Examples);
        var weights = TrustBound.Weights(p, data.InputShape, data.Classes);
        try
        {
            var result = new BoundResult(p, TrustBound.Measure(p, weights, x, y));
            UnitStore.Write(folder, p, result);
            var worst = result.Rows.MaxBy(r => r.Ratio)!;
            observer.Message($"trust L={p.Layers} seed {p.Seed}: largest measured/bound {worst.Ratio:G3} ({worst.Direction}, ε = {worst.Epsilon:G2})");
            return result;
        }
        finally
        {
            foreach (var w in weights) w.Dispose();
        }
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(TrustSettings s, TrustResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in r.Bounds.SelectMany(b => b.Rows.Select(row => (b.Point.Layers, Row: row))).GroupBy(x => Key(x.Row.Direction, x.Layers, x.Row.Epsilon)))
            metrics[$"{g.Key}.ratio"] = GeometricMean(g.Select(x => x.Row.Ratio));
        foreach (var g in r.Slices.Where(x => x.Curves.Count > 0).GroupBy(x => $"{x.Point.Net}-{x.Point.Layers}"))
        {
            metrics[$"{g.Key}.peak_grad_change"] = GeometricMean(g.Select(x => x.Curves.Max(c => c.GradChange.Max())));
            metrics[$"{g.Key}.peak_loss_ratio"] = GeometricMean(g.Select(x => x.Curves.Max(c => c.Loss.Max() / c.Loss[0])));
        }
        int expected = s.BoundPoints.Count + s.SlicePoints.Count, done = r.Bounds.Count + r.Slices.Count(x => x.Status != RunStatus.Cancelled);
        var status = done < expected ? RunStatus.Cancelled : RunStatus.Completed;

        var summary = TrustSummary.From(s, r.Bounds, r.Slices);
        var inv = CultureInfo.InvariantCulture;
        var rows = from dir in s.Directions
                   from l in s.Depths
                   select (IReadOnlyList<string>)[dir, l.ToString(inv), .. s.Epsilons.Select(e =>
                       summary.Cells.FirstOrDefault(c => c.Direction == dir && c.Layers == l && c.Epsilon == e) is { } c
                           ? Math.Pow(10, c.Log10Ratio.Mean).ToString("G3", inv) : "—")];
        var console = ConsoleSummary.Empty.Line("measured ‖Δf‖/‖f‖ over Π(1+ε_k) − 1:")
            .Table(["direction", "L", .. s.Epsilons.Select(e => $"ε={e.ToString("G3", inv)}")], rows, [false, true, .. s.Epsilons.Select(_ => true)]);
        foreach (var b in summary.Slices)
            console = console.Line(string.Create(inv,
                $"{b.Title}: peak first-layer gradient change ×{Math.Pow(10, b.Log10PeakGradChange.Mean):G3}, peak loss ratio ×{Math.Pow(10, b.Log10PeakLossRatio.Mean):G3}, trust radius t = {b.TrustRadius.Mean:G3}"));
        return new ExperimentOutcome(status, $"{r.Bounds.Count} bound nets, {r.Slices.Count} slice runs", metrics,
            new SortedDictionary<string, double>(StringComparer.Ordinal))
        {
            DivergedRuns = r.Slices.Count(x => x.Status == RunStatus.Diverged),
            Summary = console,
        };
    }

    private static double GeometricMean(IEnumerable<double> values)
    {
        var v = values.ToList();
        return v.Count == 0 ? double.NaN : Math.Exp(v.Average(Math.Log));
    }
}
