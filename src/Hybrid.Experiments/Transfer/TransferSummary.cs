using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Statistics;
using Hybrid.Training.Optimizers;

using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Transfer;

/// <summary>One (optimiser, width, depth, learning rate) over its seeds.</summary>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Lr">The learning rate.</param>
/// <param name="Loss">Final-epoch training loss over the seeds that did not diverge.</param>
/// <param name="Accuracy">Final-epoch training accuracy over the seeds that did not diverge.</param>
/// <param name="Diverged">Seeds whose loss stopped being finite (such a cell is never the best).</param>
public sealed record TransferCell(string Optimizer, int Width, int Depth, double Lr, SeedSummary Loss, SeedSummary Accuracy, int Diverged);

/// <summary>How the best learning rate of one optimiser moves along one axis (width at the base depth, or depth at the base width).</summary>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="Axis">"width" or "depth".</param>
/// <param name="Values">The widths or depths, ascending.</param>
/// <param name="BestLr">The grid's best learning rate at each value (lowest mean loss); NaN where no rate trains —
/// every rate diverged or ended within 5 % of the chance loss ln(classes) — since an argmin among untrained runs is noise.</param>
/// <param name="BestLrInterpolated">The minimum of a parabola through the best rate and its neighbours in log10(lr) (the grid's best where a neighbour is missing).</param>
/// <param name="ShiftDecades">log10 of the best rate at the largest value over that at the smallest, among values where a rate trains (signed, grid resolution; NaN with fewer than two).</param>
/// <param name="RangeDecades">The largest minus the smallest log10 best rate over all values.</param>
/// <param name="ShiftInterpolated">The shift of the interpolated best rates.</param>
/// <param name="SeedShift">The shift computed within each seed, over seeds (null for one seed).</param>
/// <param name="DefaultIsBest">At how many values the optimiser's published default rate is the grid's best.</param>
public sealed record TransferSlice(string Optimizer, string Axis, int[] Values, double[] BestLr, double[] BestLrInterpolated,
    double ShiftDecades, double RangeDecades, double ShiftInterpolated, SeedSummary? SeedShift, int DefaultIsBest);

/// <summary>What <c>hybrid transfer</c> found: every cell and, per optimiser, the width and depth slices.</summary>
public sealed record TransferSummary(IReadOnlyList<TransferCell> Cells, IReadOnlyList<TransferSlice> Slices)
{
    /// <summary>A final loss at or above this fraction of the chance loss ln(classes) counts as not trained.</summary>
    public const double TrainedBelow = 0.95;

    /// <summary>Summarises finished points (cancelled ones are left out) of a task with <paramref name="classes"/> classes.</summary>
    public static TransferSummary From(TransferSettings s, IReadOnlyList<PointResult> results, int classes)
    {
        double ceiling = TrainedBelow * Math.Log(classes);
        var done = results.Where(r => r.Status != RunStatus.Cancelled).ToList();
        var cells = new List<TransferCell>();
        foreach (var (w, d) in s.Architectures)
            foreach (var opt in s.Optimizers)
                foreach (var lr in s.Lrs(opt))
                {
                    var runs = done.Where(r => Matches(r.Point, opt, w, d) && r.Point.Lr == lr).ToList();
                    if (runs.Count == 0) continue;
                    var ok = runs.Where(r => !r.Diverged).ToList();
                    cells.Add(new TransferCell(opt, w, d, lr, SeedSummary.Of(ok.Select(r => r.TrainLoss)),
                        SeedSummary.Of(ok.Select(r => r.TrainAccuracy)), runs.Count - ok.Count));
                }
        var slices = new List<TransferSlice>();
        foreach (var opt in s.Optimizers)
        {
            slices.Add(Slice(s, done, cells, opt, "width", s.Widths.Order().Select(w => (w, s.BaseDepth)).ToList(), ceiling));
            slices.Add(Slice(s, done, cells, opt, "depth", s.Depths.Order().Select(d => (s.BaseWidth, d)).ToList(), ceiling));
        }
        return new TransferSummary(cells, slices);
    }

    private static bool Matches(TrainingPoint p, string opt, int width, int depth) => p.Optimizer == opt && p.Width == width && p.Depth == depth;

    private static TransferSlice Slice(TransferSettings s, List<PointResult> done, List<TransferCell> cells, string opt, string axis,
        List<(int Width, int Depth)> archs, double ceiling)
    {
        var lrs = s.Lrs(opt).Order().ToArray();
        var best = new double[archs.Count];
        var interp = new double[archs.Count];
        for (int i = 0; i < archs.Count; ++i)
        {
            var loss = lrs.Select(lr => cells.FirstOrDefault(c => c.Optimizer == opt && c.Width == archs[i].Width && c.Depth == archs[i].Depth && c.Lr == lr)
                is { Diverged: 0 } c ? c.Loss.Mean : double.NaN).ToArray();
            (best[i], interp[i]) = Trained(loss, ceiling) ? BestLr(lrs, loss) : (double.NaN, double.NaN);
        }
        SeedSummary? seedShift = null;
        if (s.Seeds > 1)
            seedShift = SeedSummary.Of(Enumerable.Range(0, s.Seeds).Select(seed =>
            {
                var b = archs.Select(a =>
                {
                    var loss = lrs.Select(lr => done.FirstOrDefault(r => Matches(r.Point, opt, a.Width, a.Depth) &&
                        r.Point.Lr == lr && r.Point.Seed == seed) is { Diverged: false } r ? r.TrainLoss : double.NaN).ToArray();
                    return Trained(loss, ceiling) ? BestLr(lrs, loss).Grid : double.NaN;
                }).ToArray();
                return Shift(b);
            }));
        var logs = best.Where(double.IsFinite).Select(Math.Log10).ToArray();
        double def = OptimizerCatalog.DefaultLr(opt);
        return new TransferSlice(opt, axis, archs.Select(a => axis == "width" ? a.Width : a.Depth).ToArray(), best, interp,
            Shift(best), logs.Length > 1 ? logs.Max() - logs.Min() : double.NaN,
            Shift(interp), seedShift, best.Count(b => Math.Abs(Math.Log10(b) - Math.Log10(def)) < 1e-9));
    }

    private static bool Trained(IEnumerable<double> loss, double ceiling) => loss.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min() < ceiling;

    // log10 of the last finite rate over the first (NaN with fewer than two).
    private static double Shift(double[] rates)
    {
        var finite = rates.Where(double.IsFinite).ToArray();
        return finite.Length < 2 ? double.NaN : Math.Log10(finite[^1]) - Math.Log10(finite[0]);
    }

    /// <summary>
    /// The learning rate of <paramref name="lrs"/> (ascending) with the lowest finite
    /// <paramref name="loss"/>, and the minimum of the parabola through it and its two neighbours
    /// in log10(lr) — kept between the neighbours, and equal to the grid's best when a neighbour
    /// is missing or the three points do not curve upwards. (NaN, NaN) when no loss is finite.
    /// </summary>
    public static (double Grid, double Interpolated) BestLr(IReadOnlyList<double> lrs, IReadOnlyList<double> loss)
    {
        int i = -1;
        for (int j = 0; j < loss.Count; ++j)
            if (double.IsFinite(loss[j]) && (i < 0 || loss[j] < loss[i])) i = j;
        if (i < 0) return (double.NaN, double.NaN);
        if (i == 0 || i == loss.Count - 1 || !double.IsFinite(loss[i - 1]) || !double.IsFinite(loss[i + 1])) return (lrs[i], lrs[i]);
        double x0 = Math.Log10(lrs[i - 1]), x1 = Math.Log10(lrs[i]), x2 = Math.Log10(lrs[i + 1]);
        double f0 = loss[i - 1], f1 = loss[i], f2 = loss[i + 1];
        double num = (x1 - x0) * (x1 - x0) * (f1 - f2) - (x1 - x2) * (x1 - x2) * (f1 - f0);
        double den = (x1 - x0) * (f1 - f2) - (x1 - x2) * (f1 - f0);
        if (!(Math.Abs(den) > 0)) return (lrs[i], lrs[i]);
        double x = Math.Clamp(x1 - 0.5 * num / den, x0, x2);
        return (lrs[i], Math.Pow(10, x));
    }
}
