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

/// <summary>The breakdown of one slice net at the largest move, over seeds.</summary>
/// <param name="Net">"mlp-16".</param>
/// <param name="Title">"16-layer MLP".</param>
/// <param name="Layers">Weight layers.</param>
/// <param name="Move">The largest relative move t.</param>
/// <param name="Log10GradChange">log10 of the largest (over checkpoints) first-layer gradient change at that move.</param>
/// <param name="Log10LossRatio">log10 of the largest (over checkpoints) loss(t)/loss(0) at that move.</param>
public sealed record SliceBreakdown(string Net, string Title, int Layers, double Move, SeedSummary Log10GradChange, SeedSummary Log10LossRatio);

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
            breakdowns.Add(new SliceBreakdown(net, p.Title, p.Layers, p.Moves.Max(),
                SeedSummary.Of(runs.Select(r => Math.Log10(r.Curves.Max(c => c.GradChange[^1])))),
                SeedSummary.Of(runs.Select(r => Math.Log10(r.Curves.Max(c => c.Loss[^1] / c.Loss[0]))))));
        }
        return new TrustSummary(cells, breakdowns);
    }
}
