using Hybrid.Experiments.Statistics;

namespace Hybrid.Experiments.Trust;

/// <summary>One (direction, depth, ε) over seeds; ratios are summarised as log10 (a geometric mean with its interval).</summary>
/// <param name="Direction">radial, random or gradient.</param>
/// <param name="Layers">Weight layers L.</param>
/// <param name="Epsilon">ε.</param>
/// <param name="Change">Measured ‖Δf‖/‖f‖.</param>
/// <param name="Log10Ratio">log10 of measured / (Π(1+ε_k) − 1).</param>
/// <param name="Log10RatioSum">log10 of measured / Σε_k.</param>
/// <param name="Log10RatioSpectral">log10 of measured / (Π(1+‖ΔW_k‖₂/‖W_k‖₂) − 1).</param>
/// <param name="MaxRatio">The largest measured / product over seeds.</param>
/// <param name="MaxExampleRatio">The largest per-example ‖Δf(x)‖/‖f(x)‖ over the product bound, over seeds.</param>
public sealed record TrustCell(string Direction, int Layers, double Epsilon, SeedSummary Change, SeedSummary Log10Ratio,
    SeedSummary Log10RatioSum, SeedSummary Log10RatioSpectral, double MaxRatio, double MaxExampleRatio);

/// <summary>The breakdown of one slice net, over seeds (log10 values: geometric means with their intervals).</summary>
/// <param name="Net">"mlp-16".</param>
/// <param name="Title">"16-layer MLP".</param>
/// <param name="Layers">Weight layers.</param>
/// <param name="Move">The largest relative move t.</param>
/// <param name="Log10PeakGradChange">log10 of the largest first-layer gradient change over every checkpoint and move.</param>
/// <param name="Log10PeakLossRatio">log10 of the largest loss(t)/loss(0) over every checkpoint and move.</param>
/// <param name="TrustRadius">Per seed, the median over checkpoints of the smallest move t at which the first-layer gradient
/// has changed by as much as its own norm (change ≥ 1); a checkpoint where that never happens counts as 2·t_max.</param>
/// <param name="Collapsed">Checkpoints (over all seeds) where the largest move leaves the first-layer gradient at ~0
/// (change within 1 % of 1) after it had changed by more earlier on the slice: the ReLUs died, the loss went flat.</param>
/// <param name="Checkpoints">Checkpoints over all seeds.</param>
public sealed record SliceBreakdown(string Net, string Title, int Layers, double Move, SeedSummary Log10PeakGradChange,
    SeedSummary Log10PeakLossRatio, SeedSummary TrustRadius, int Collapsed, int Checkpoints);

/// <summary>What <c>hybrid trust</c> found.</summary>
public sealed record TrustSummary(IReadOnlyList<TrustCell> Cells, IReadOnlyList<SliceBreakdown> Slices)
{
    /// <summary>Summarises the measurements and slices.</summary>
    public static TrustSummary From(TrustSettings s, IReadOnlyList<BoundResult> bounds, IReadOnlyList<SliceResult> slices)
    {
        var cells = new List<TrustCell>();
        foreach (var dir in s.Directions)
            foreach (var l in s.Depths)
                foreach (var eps in s.Epsilons)
                {
                    var rows = bounds.Where(b => b.Point.Layers == l).SelectMany(b => b.Rows).Where(r => r.Direction == dir && r.Epsilon == eps).ToList();
                    if (rows.Count == 0) continue;
                    cells.Add(new TrustCell(dir, l, eps, SeedSummary.Of(rows.Select(r => r.Change)), SeedSummary.Of(rows.Select(r => Math.Log10(r.Ratio))),
                        SeedSummary.Of(rows.Select(r => Math.Log10(r.RatioSum))), SeedSummary.Of(rows.Select(r => Math.Log10(r.RatioSpectral))),
                        rows.Max(r => r.Ratio), rows.Max(r => r.MaxExampleChange / r.Product)));
                }
        var breakdowns = new List<SliceBreakdown>();
        foreach (var net in s.Slices.Nets)
        {
            var runs = slices.Where(r => $"{r.Point.Net}-{r.Point.Layers}" == net && r.Curves.Count > 0).ToList();
            if (runs.Count == 0) continue;
            var p = runs[0].Point;
            double max = p.Moves.Max();
            breakdowns.Add(new SliceBreakdown(net, p.Title, p.Layers, max,
                SeedSummary.Of(runs.Select(r => Math.Log10(r.Curves.Max(c => c.GradChange.Max())))),
                SeedSummary.Of(runs.Select(r => Math.Log10(r.Curves.Max(c => c.Loss.Max() / c.Loss[0])))),
                SeedSummary.Of(runs.Select(r => Median(r.Curves.Select(c => Radius(c, max))))),
                runs.Sum(r => r.Curves.Count(Collapsed)), runs.Sum(r => r.Curves.Count)));
        }
        return new TrustSummary(cells, breakdowns);
    }

    /// <summary>The smallest move at which the first-layer gradient changed by ≥ its own norm (2·t_max if none).</summary>
    public static double Radius(SliceCurve c, double max)
    {
        for (int i = 1; i < c.Moves.Length; ++i)
            if (c.GradChange[i] >= 1) return c.Moves[i];
        return 2 * max;
    }

    /// <summary>Whether the largest move killed the gradient (change ≈ 1, i.e. g₁(t) ≈ 0) after a larger change at a smaller move.</summary>
    public static bool Collapsed(SliceCurve c) =>
        Math.Abs(c.GradChange[^1] - 1) < 0.01 && c.GradChange.Take(c.GradChange.Length - 1).Max() > 1.01;

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
