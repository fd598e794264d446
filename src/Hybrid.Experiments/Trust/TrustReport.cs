using System.Globalization;
using System.Text;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using ScottPlot;

namespace Hybrid.Experiments.Trust;

/// <summary>The outputs of <c>hybrid trust</c>: results.csv (bound rows), slices.csv, results.json, summary.json, report.md and three plots.</summary>
public static class TrustReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every output (also for a partly finished experiment).</summary>
    public static void Write(RunFolder folder, TrustSettings s, IReadOnlyList<BoundResult> bounds, IReadOnlyList<SliceResult> slices,
        string dataNote, string dataSummary)
    {
        var summary = TrustSummary.From(s, bounds, slices);
        folder.WriteText("results.csv", "layers,seed,direction,epsilon,change,max_example_change,product_bound,sum_bound,spectral_bound,ratio,ratio_sum,ratio_spectral\n" +
            string.Concat(bounds.SelectMany(b => b.Rows.Select(r => string.Join(',', b.Point.Layers, b.Point.Seed, r.Direction, G(r.Epsilon), G(r.Change),
                G(r.MaxExampleChange), G(r.Product), G(r.Sum), G(r.ProductSpectral), G(r.Ratio), G(r.RatioSum), G(r.RatioSpectral)) + "\n"))));
        folder.WriteText("slices.csv", "net,layers,seed,checkpoint_epoch,step,accuracy,move,loss,grad_change\n" +
            string.Concat(slices.SelectMany(r => r.Curves.SelectMany(c => c.Moves.Select((t, i) => string.Join(',', r.Point.Net, r.Point.Layers,
                r.Point.Seed, G(c.Epoch), c.Step, G(c.Accuracy), G(t), G(c.Loss[i]), G(c.GradChange[i])) + "\n")))));
        folder.WriteJson("results.json", new { bounds, slices });
        folder.WriteJson("summary.json", new
        {
            summary.Cells, summary.Slices, data = dataSummary, environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow,
        });
        folder.WriteText("report.md", Markdown(s, summary, slices, dataNote, dataSummary));
        if (summary.Cells.Count > 0)
        {
            folder.WriteBytes("trust-ratio.png", RatioPanels(s, summary));
            folder.WriteBytes("trust-vs-depth.png", DepthPanels(s, summary));
        }
        if (slices.Any(r => r.Curves.Count > 0)) folder.WriteBytes("curvature-slices.png", SlicePanels(slices.Where(r => r.Point.Seed == s.Seed).ToList()));
    }

    private static string G(double x) => x.ToString("R", Inv);

    /// <summary>The report: settings, the ratio tables, the slice breakdowns.</summary>
    public static string Markdown(TrustSettings s, TrustSummary summary, IReadOnlyList<SliceResult> slices, string dataNote, string dataSummary)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# hybrid trust: deep relative trust and curvature slices").AppendLine();
        sb.AppendLine($"- Data: {dataSummary}. {dataNote}");
        sb.AppendLine(string.Create(Inv, $"- Bound: bias-free ReLU MLPs, width {s.Width}, L = {string.Join(", ", s.Depths)} weight layers, at initialisation (seeds {s.Seeds}), " +
                                         $"f on the first {s.Examples} training inputs, float64. Every layer moved by ‖ΔW_k‖_F = ε‖W_k‖_F, ε ∈ {{{string.Join(", ", s.Epsilons.Select(e => e.ToString("G3", Inv)))}}}."));
        sb.AppendLine("- Ratio = measured ‖Δf‖/‖f‖ (outputs of all examples stacked) over the deep-relative-trust bound Π(1+ε_k) − 1; " +
                      "\"sum\" is over the naive Σε_k. Ratios are geometric means over seeds" + (s.Seeds > 1 ? " with 95 % intervals (of log10)." : "."));
        sb.AppendLine().AppendLine("Measured / product bound (measured / sum in brackets):").AppendLine();
        sb.AppendLine("| direction | L | " + string.Join(" | ", s.Epsilons.Select(e => $"ε = {e.ToString("G3", Inv)}")) + " |");
        sb.AppendLine("|---|---:|" + string.Concat(s.Epsilons.Select(_ => "---:|")));
        foreach (var dir in s.Directions)
            foreach (var l in s.Depths)
                sb.AppendLine($"| {dir} | {l} | " + string.Join(" | ", s.Epsilons.Select(e => summary.Cells.FirstOrDefault(c => c.Direction == dir && c.Layers == l && c.Epsilon == e)
                    is { } c ? $"{Pow(c.Log10Ratio)} ({Pow(c.Log10RatioSum)})" : "—")) + " |");
        if (s.Directions.Contains("gradient"))
        {
            sb.AppendLine().AppendLine("Gradient direction, measured over the bound with spectral norms, Π(1 + ‖ΔW_k‖₂/‖W_k‖₂) − 1:").AppendLine();
            sb.AppendLine("| L | " + string.Join(" | ", s.Epsilons.Select(e => $"ε = {e.ToString("G3", Inv)}")) + " |");
            sb.AppendLine("|---:|" + string.Concat(s.Epsilons.Select(_ => "---:|")));
            foreach (var l in s.Depths)
                sb.AppendLine($"| {l} | " + string.Join(" | ", s.Epsilons.Select(e => summary.Cells.FirstOrDefault(c => c.Direction == "gradient" && c.Layers == l && c.Epsilon == e)
                    is { } c ? Pow(c.Log10RatioSpectral) : "—")) + " |");
        }
        var worst = summary.Cells.Where(c => c.Direction != "radial").OrderByDescending(c => c.MaxRatio).FirstOrDefault();
        if (worst is not null)
            sb.AppendLine().AppendLine(string.Create(Inv, $"Largest measured/product over every non-radial direction, depth, ε and seed: {worst.MaxRatio:G3} ({worst.Direction}, L = {worst.Layers}, ε = {worst.Epsilon:G3}); " +
                                                          $"largest per-example ratio: {summary.Cells.Max(c => c.MaxExampleRatio):G3}. With spectral norms in the bound the {worst.Direction} ratio there is {Pow(worst.Log10RatioSpectral)}."));
        if (summary.Slices.Count > 0)
        {
            sb.AppendLine().AppendLine("## Curvature slices").AppendLine();
            var p = s.Slices;
            sb.AppendLine(string.Create(Inv, $"- Nets trained with {p.Optimizer} (lr {p.Lr:G3}, ×{p.LrDecay} per epoch), width {p.Width}, batch {p.BatchSize}, {p.Epochs} epochs on {p.Data.TrainSize?.ToString(Inv) ?? "all"} training examples; " +
                                             $"slices at epochs {string.Join(", ", p.Checkpoints.Select(c => c.ToString("G3", Inv)))} on {p.SliceExamples} training examples; moves t ∈ {{{string.Join(", ", p.Moves.Select(m => m.ToString("G3", Inv)))}}}."));
            sb.AppendLine().AppendLine("Breakdown per net" + (p.Seeds > 1 ? $" (geometric means, and medians for the radius, with 95 % intervals over {p.Seeds} seeds)" : "") +
                ": the peak first-layer gradient change and loss ratio over every checkpoint and move; the trust radius, the median over checkpoints of the smallest move t at which " +
                "the first-layer gradient has changed by its own norm (2·t_max where it never does); and the checkpoints where the largest move killed the gradient.").AppendLine();
            sb.AppendLine("| net | peak gradient change | peak loss(t)/loss(0) | trust radius t | collapsed at t_max |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var b in summary.Slices)
                sb.AppendLine(string.Create(Inv, $"| {b.Title} | {Pow(b.Log10PeakGradChange)} | {Pow(b.Log10PeakLossRatio)} | {b.TrustRadius.Format("G3")} | {b.Collapsed} of {b.Checkpoints} |"));
            sb.AppendLine().AppendLine(string.Create(Inv, $"Per checkpoint (seed {s.Seed}):")).AppendLine();
            sb.AppendLine("| net | epoch | step | accuracy | loss(0) | loss at each t | gradient change at each t |");
            sb.AppendLine("|---|---:|---:|---:|---:|---|---|");
            foreach (var r in slices.Where(r => r.Point.Seed == s.Seed))
                foreach (var c in r.Curves)
                    sb.AppendLine(string.Create(Inv, $"| {r.Point.Title} | {c.Epoch:G3} | {c.Step} | {100 * c.Accuracy:F1} % | {c.Loss[0]:G3} | ") +
                                  string.Join(", ", c.Loss.Skip(1).Select(v => v.ToString("G3", Inv))) + " | " +
                                  string.Join(", ", c.GradChange.Skip(1).Select(v => v.ToString("G3", Inv))) + " |");
        }
        sb.AppendLine().AppendLine("Plots: `trust-ratio.png`, `trust-vs-depth.png`, `curvature-slices.png`. Measurements under `bound/`, slice runs under `slices/`.");
        return sb.ToString();
    }

    private static string Pow(Statistics.SeedSummary log10) => log10.Count > 1
        ? string.Create(Inv, $"{Math.Pow(10, log10.Mean):G3} [{Math.Pow(10, log10.Low):G3}, {Math.Pow(10, log10.High):G3}]")
        : Math.Pow(10, log10.Mean).ToString("G3", Inv);

    private static byte[] RatioPanels(TrustSettings s, TrustSummary summary)
    {
        var panels = s.Directions.Select(dir =>
        {
            var plt = new Plot();
            for (int i = 0; i < s.Depths.Length; ++i)
            {
                var cells = summary.Cells.Where(c => c.Direction == dir && c.Layers == s.Depths[i]).OrderBy(c => c.Epsilon).ToList();
                Plots.Line(plt, cells.Select(c => Math.Log10(c.Epsilon)).ToList(), cells.Select(c => c.Log10Ratio.Mean).ToList(),
                    cells.Select(c => c.Log10Ratio.HalfWidth).ToList(), $"L = {s.Depths[i]}", Plots.Color(i));
            }
            var one = plt.Add.HorizontalLine(0);
            one.LinePattern = LinePattern.Dotted;
            one.Color = Colors.Gray;
            Plots.Log10Ticks(plt.Axes.Bottom);
            var shown = summary.Cells.Where(c => c.Direction == dir).Select(c => c.Log10Ratio).ToList();
            Plots.Log10Axis(plt, plt.Axes.Left, shown.Select(c => c.Mean).Concat(shown.Select(c => c.Low)).Concat(shown.Select(c => c.High)).Append(0));
            plt.Title($"{dir}: measured / (Π(1+ε) − 1)");
            plt.XLabel("ε (relative change per layer)");
            plt.YLabel("‖Δf‖/‖f‖ over the bound");
            plt.ShowLegend(Alignment.LowerLeft);
            return plt;
        }).ToList();
        return Plots.Panels(panels, Math.Min(3, panels.Count));
    }

    private static byte[] DepthPanels(TrustSettings s, TrustSummary summary)
    {
        var panels = s.Epsilons.Select(eps =>
        {
            var plt = new Plot();
            var depths = s.Depths.Order().Select(d => (double)d).ToList();
            var logD = depths.Select(Math.Log2).ToList();
            Plots.Line(plt, logD, depths.Select(l => Math.Log10(Math.Pow(1 + eps, l) - 1)).ToList(), null, "Π(1+ε) − 1", Colors.Black, LinePattern.Dashed);
            Plots.Line(plt, logD, depths.Select(l => Math.Log10(l * eps)).ToList(), null, "Σε = Lε", Colors.Gray, LinePattern.Dotted);
            for (int i = 0; i < s.Directions.Length; ++i)
            {
                var cells = s.Depths.Order().Select(l => summary.Cells.FirstOrDefault(c => c.Direction == s.Directions[i] && c.Layers == l && c.Epsilon == eps)).ToList();
                Plots.Line(plt, logD, cells.Select(c => c is null ? double.NaN : Math.Log10(c.Change.Mean)).ToList(), null, s.Directions[i], Plots.Color(i));
            }
            plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(logD.ToArray(), depths.Select(d => d.ToString(Inv)).ToArray());
            Plots.Log10Axis(plt, plt.Axes.Left, summary.Cells.Where(c => c.Epsilon == eps).Select(c => Math.Log10(c.Change.Mean))
                .Concat(depths.Select(l => Math.Log10(l * eps))));
            plt.Title(string.Create(Inv, $"ε = {eps:G3}: ‖Δf‖/‖f‖ vs depth"));
            plt.XLabel("weight layers L");
            plt.YLabel("relative change of f");
            plt.ShowLegend(Alignment.UpperLeft);
            return plt;
        }).ToList();
        return Plots.Panels(panels, Math.Min(3, panels.Count));
    }

    private static byte[] SlicePanels(IReadOnlyList<SliceResult> slices)
    {
        var panels = new List<Plot>();
        var viridis = new ScottPlot.Colormaps.Viridis();
        foreach (var r in slices.Where(r => r.Curves.Count > 0))
            foreach (var what in new[] { "loss", "gradient change" })
            {
                var plt = new Plot();
                for (int i = 0; i < r.Curves.Count; ++i)
                {
                    var c = r.Curves[i];
                    var y = what == "loss" ? c.Loss : c.GradChange;
                    var idx = Enumerable.Range(0, c.Moves.Length).Where(k => y[k] > 0).ToList();
                    Plots.Line(plt, idx.Select(k => c.Moves[k]).ToList(), idx.Select(k => Math.Log10(y[k])).ToList(), null,
                        string.Create(Inv, $"epoch {c.Epoch:G3}"), viridis.GetColor(r.Curves.Count == 1 ? 0 : (double)i / (r.Curves.Count - 1)));
                }
                Plots.Log10Axis(plt, plt.Axes.Left, r.Curves.SelectMany(c => what == "loss" ? c.Loss : c.GradChange).Where(v => v > 0).Select(Math.Log10));
                plt.Title($"{r.Point.Title}: {what}");
                plt.XLabel("relative move t of every layer");
                plt.YLabel(what == "loss" ? "loss" : "‖g₁(t) − g₁(0)‖/‖g₁(0)‖");
                plt.ShowLegend(Alignment.UpperLeft);
                panels.Add(plt);
            }
        return Plots.Panels(panels, 2);
    }
}
