using System.Text.Json.Serialization;
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
/// <param name="Bits">A bits-slice cell's bits per synapse (null elsewhere, and then summary.json does not name it).</param>
/// <param name="C2cNoise">A c2c-noise-slice cell's cycle-to-cycle noise (null elsewhere).</param>
public sealed record TransferCell(string Optimizer, int Width, int Depth, double Lr, SeedSummary Loss, SeedSummary Accuracy, int Diverged,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Bits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? C2cNoise = null)
{
    /// <summary>Whether this is a cell of the width or depth slices (no hardware setting).</summary>
    [JsonIgnore]
    public bool Plain => Bits is null && C2cNoise is null;
}

/// <summary>How the best learning rate of one optimiser moves along one axis (width at the base depth, depth at the base width,
/// or at the base width and depth the bits per synapse or the c2c device noise).</summary>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="Axis">"width", "depth", "bits" or "c2c-noise".</param>
/// <param name="Values">The widths or depths, ascending; the bits or noise levels in the order given (--bits 16,8,6: as the hardware gets cheaper).</param>
/// <param name="BestLr">The grid's best learning rate at each value (lowest mean loss); NaN where no rate trains —
/// every rate diverged or ended within 5 % of the chance loss ln(classes) — since an argmin among untrained runs is noise.</param>
/// <param name="BestLrInterpolated">The minimum of a parabola through the best rate and its neighbours in log10(lr) (the grid's best where a neighbour is missing).</param>
/// <param name="ShiftDecades">log10 of the best rate at the last value over that at the first, among values where a rate trains (signed, grid resolution; NaN with fewer than two).</param>
/// <param name="RangeDecades">The largest minus the smallest log10 best rate over all values.</param>
/// <param name="ShiftInterpolated">The shift of the interpolated best rates.</param>
/// <param name="SeedShift">The shift computed within each seed, over seeds (null for one seed).</param>
/// <param name="DefaultIsBest">At how many values the optimiser's published default rate is the grid's best.</param>
public sealed record TransferSlice(string Optimizer, string Axis, double[] Values, double[] BestLr, double[] BestLrInterpolated,
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
        var wheres = (from a in s.Architectures from opt in s.Optimizers select new Where(opt, a.Width, a.Depth, null, null))
            .Concat(from axis in TransferSettings.HardwareAxes
                    from opt in s.HardwareOptimizers(axis)
                    from v in s.HardwareValues(axis)
                    select At(s, opt, axis, v));
        foreach (var at in wheres)
            foreach (var lr in s.Lrs(at.Optimizer))
            {
                var runs = done.Where(r => at.Matches(r.Point) && r.Point.Lr == lr).ToList();
                if (runs.Count == 0) continue;
                var ok = runs.Where(r => !r.Diverged).ToList();
                cells.Add(new TransferCell(at.Optimizer, at.Width, at.Depth, lr, SeedSummary.Of(ok.Select(r => r.TrainLoss)),
                    SeedSummary.Of(ok.Select(r => r.TrainAccuracy)), runs.Count - ok.Count, at.Bits, at.C2cNoise));
            }
        var slices = new List<TransferSlice>();
        foreach (var opt in s.Optimizers)
        {
            slices.Add(Slice(s, done, cells, opt, "width", s.Widths.Order().Select(w => (double)w).ToArray(),
                s.Widths.Order().Select(w => new Where(opt, w, s.BaseDepth, null, null)).ToList(), ceiling));
            slices.Add(Slice(s, done, cells, opt, "depth", s.Depths.Order().Select(d => (double)d).ToArray(),
                s.Depths.Order().Select(d => new Where(opt, s.BaseWidth, d, null, null)).ToList(), ceiling));
        }
        foreach (var axis in TransferSettings.HardwareAxes)
            foreach (var opt in s.HardwareOptimizers(axis))
                slices.Add(Slice(s, done, cells, opt, axis, s.HardwareValues(axis),
                    s.HardwareValues(axis).Select(v => At(s, opt, axis, v)).ToList(), ceiling));
        return new TransferSummary(cells, slices);
    }

    /// <summary>The cells of one (optimiser, width, depth, bits, noise) over learning rates, for plots: those that did not diverge, by rate.</summary>
    public IReadOnlyList<TransferCell> Curve(string optimizer, int width, int depth, int? bits = null, double? c2cNoise = null) =>
        Cells.Where(c => c.Optimizer == optimizer && c.Width == width && c.Depth == depth && c.Bits == bits && c.C2cNoise == c2cNoise && c.Diverged == 0)
            .OrderBy(c => c.Lr).ToList();

    // Where a set of points lies: optimiser, architecture and hardware setting (null: none, the width and depth slices).
    private sealed record Where(string Optimizer, int Width, int Depth, int? Bits, double? C2cNoise)
    {
        public bool Matches(TrainingPoint p) => p.Optimizer == Optimizer && p.Width == Width && p.Depth == Depth && p.Bits == Bits && p.C2cNoise == C2cNoise;
        public bool Matches(TransferCell c) => c.Optimizer == Optimizer && c.Width == Width && c.Depth == Depth && c.Bits == Bits && c.C2cNoise == C2cNoise;
    }

    private static Where At(TransferSettings s, string opt, string axis, double v) =>
        new(opt, s.BaseWidth, s.BaseDepth, axis == "bits" ? (int)v : null, axis == "c2c-noise" ? v : null);

    private static TransferSlice Slice(TransferSettings s, List<PointResult> done, List<TransferCell> cells, string opt, string axis,
        double[] values, List<Where> wheres, double ceiling)
    {
        var lrs = s.Lrs(opt).Order().ToArray();
        var best = new double[wheres.Count];
        var interp = new double[wheres.Count];
        for (int i = 0; i < wheres.Count; ++i)
        {
            var at = wheres[i];
            var loss = lrs.Select(lr => cells.FirstOrDefault(c => at.Matches(c) && c.Lr == lr) is { Diverged: 0 } c ? c.Loss.Mean : double.NaN).ToArray();
            (best[i], interp[i]) = Trained(loss, ceiling) ? BestLr(lrs, loss) : (double.NaN, double.NaN);
        }
        SeedSummary? seedShift = null;
        if (s.Seeds > 1)
            seedShift = SeedSummary.Of(Enumerable.Range(0, s.Seeds).Select(i =>
            {
                long seed = s.Seed + i;
                var b = wheres.Select(at =>
                {
                    var loss = lrs.Select(lr => done.FirstOrDefault(r => at.Matches(r.Point) &&
                        r.Point.Lr == lr && r.Point.Seed == seed) is { Diverged: false } r ? r.TrainLoss : double.NaN).ToArray();
                    return Trained(loss, ceiling) ? BestLr(lrs, loss).Grid : double.NaN;
                }).ToArray();
                return Shift(b);
            }));
        var logs = best.Where(double.IsFinite).Select(Math.Log10).ToArray();
        double def = OptimizerCatalog.DefaultLr(opt);
        return new TransferSlice(opt, axis, values, best, interp,
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
