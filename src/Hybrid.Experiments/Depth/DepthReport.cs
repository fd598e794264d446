using System.Globalization;
using System.Text;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using ScottPlot;

namespace Hybrid.Experiments.Depth;

/// <summary>The outputs of <c>hybrid depth</c>: results.csv/json, summary.json, report.md and three plots.</summary>
public static class DepthReport
{
    /// <summary>Writes every output (also for a partly finished grid).</summary>
    public static void Write(RunFolder folder, DepthSettings s, IReadOnlyList<PointResult> results, DepthSummary summary,
        string dataNote, string dataSummary)
    {
        folder.WriteText("results.csv", PointResult.Csv(results));
        folder.WriteJson("results.json", results);
        folder.WriteJson("summary.json", new
        {
            summary.Best, summary.Deepest, summary.FirstFailure, summary.Cells,
            points = s.Points.Count, finished = results.Count(r => r.Status != RunStatus.Cancelled),
            data = dataSummary, environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow,
        });
        folder.WriteText("report.md", Markdown(s, results, summary, dataNote, dataSummary));
        folder.WriteBytes("depth-heatmap.png", Heatmap(s, summary));
        folder.WriteBytes("accuracy-vs-depth.png", AccuracyVsDepth(s, summary));
        folder.WriteBytes("learning-curves.png", Curves(folder, s, results, summary));
    }

    /// <summary>The report: settings and horizon, the best-lr table (depth × optimiser), deepest trainable depths.</summary>
    public static string Markdown(DepthSettings s, IReadOnlyList<PointResult> results, DepthSummary summary, string dataNote, string dataSummary)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# hybrid depth: which optimisers train how deep").AppendLine();
        sb.AppendLine($"- Data: {dataSummary}. {dataNote}");
        sb.AppendLine(string.Create(inv, $"- Model: {s.Model} with biases, width {s.Width}, ReLU; depths (hidden layers) {string.Join(", ", s.Depths)}."));
        sb.AppendLine(string.Create(inv, $"- Horizon: {s.Epochs} epochs of batch {s.BatchSize}, learning rate ×{s.LrDecay} per epoch; seeds {s.Seeds}."));
        sb.AppendLine("- Learning rates: " + string.Join("; ", s.Optimizers.Select(o => $"{o} {{{string.Join(", ", s.Lrs(o).Select(l => l.ToString("G3", inv)))}}}")) + ".");
        sb.AppendLine(string.Create(inv, $"- Metric: final-epoch training accuracy (mean of the per-batch accuracies as the model trained) at the best learning rate; a depth is trainable when that reaches {100 * s.Threshold:F0} %. Diverged runs count at chance."));
        sb.AppendLine(string.Create(inv, $"- Points finished: {results.Count(r => r.Status != RunStatus.Cancelled)} of {s.Points.Count}; diverged: {results.Count(r => r.Diverged)}."));
        sb.AppendLine();
        sb.AppendLine("Best-lr final-epoch training accuracy (%), " + (s.Seeds > 1 ? "mean ± 95 % interval over seeds, " : "one seed (no interval), ") + "with the best learning rate:").AppendLine();
        sb.AppendLine("| depth | " + string.Join(" | ", s.Optimizers) + " |");
        sb.AppendLine("|---:|" + string.Concat(s.Optimizers.Select(_ => "---:|")));
        foreach (var d in s.Depths)
            sb.AppendLine($"| {d} | " + string.Join(" | ", s.Optimizers.Select(o =>
                summary.Best.FirstOrDefault(b => b.Optimizer == o && b.Depth == d) is { } b
                    ? $"{(b.Trainable ? "**" : "")}{b.Accuracy.Format("F1", 100)}{(b.Trainable ? "**" : "")} ({b.Lr.ToString("G3", inv)})"
                    : "—")) + " |");
        sb.AppendLine().AppendLine("Bold: trainable. Deepest trainable depth (first depth that is not):").AppendLine();
        foreach (var o in s.Optimizers)
            sb.AppendLine($"- {o}: {(summary.Deepest[o]?.ToString(inv) ?? "none")}" +
                          $" ({(summary.FirstFailure[o] is int f ? $"fails first at {f}" : "no depth fails")})");
        if (s.Seeds > 1)
        {
            sb.AppendLine().AppendLine("Two optimisers differ at a depth only where their 95 % intervals are disjoint; overlapping intervals are not a difference. " +
                                       "At each depth, the best optimiser and those whose interval lies wholly below its:").AppendLine();
            foreach (var d in s.Depths)
            {
                var here = summary.Best.Where(b => b.Depth == d).OrderByDescending(b => b.Accuracy.Mean).ToList();
                if (here.Count == 0) continue;
                var below = here.Skip(1).Where(b => here[0].Accuracy.DiffersFrom(b.Accuracy)).Select(b => b.Optimizer).ToList();
                var tied = here.Skip(1).Where(b => !here[0].Accuracy.DiffersFrom(b.Accuracy)).Select(b => b.Optimizer).ToList();
                sb.AppendLine($"- depth {d}: best {here[0].Optimizer}" + (tied.Count > 0 ? $", not distinguishable from {string.Join(", ", tied)}" : "") +
                              (below.Count > 0 ? $"; below it: {string.Join(", ", below)}" : "") + ".");
            }
        }
        sb.AppendLine().AppendLine("Plots: `depth-heatmap.png`, `accuracy-vs-depth.png`, `learning-curves.png`. Every run is under `points/`.");
        return sb.ToString();
    }

    private static byte[] Heatmap(DepthSettings s, DepthSummary summary)
    {
        var values = new double[s.Optimizers.Length, s.Depths.Length];
        var text = new string[s.Optimizers.Length, s.Depths.Length];
        for (int r = 0; r < s.Optimizers.Length; ++r)
            for (int c = 0; c < s.Depths.Length; ++c)
            {
                var b = summary.Best.FirstOrDefault(x => x.Optimizer == s.Optimizers[r] && x.Depth == s.Depths[c]);
                values[r, c] = b is null ? double.NaN : 100 * b.Accuracy.Mean;
                text[r, c] = b is null ? "" : b.Accuracy.Format("F0", 100);
            }
        var plt = Plots.Heatmap(values, text, s.Optimizers, s.Depths.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray(),
            $"Train accuracy (%, viridis 0–100) at the best lr, epoch {s.Epochs}", "depth (hidden layers)", "optimizer", 0, 100);
        return plt.GetImageBytes(Math.Max(560, 160 + 80 * s.Depths.Length), 140 + 60 * s.Optimizers.Length, ImageFormat.Png);
    }

    private static byte[] AccuracyVsDepth(DepthSettings s, DepthSummary summary)
    {
        var plt = new Plot();
        for (int i = 0; i < s.Optimizers.Length; ++i)
        {
            var rows = summary.Best.Where(b => b.Optimizer == s.Optimizers[i]).OrderBy(b => b.Depth).ToList();
            Plots.Line(plt, rows.Select(b => Math.Log2(b.Depth)).ToList(), rows.Select(b => 100 * b.Accuracy.Mean).ToList(),
                rows.Select(b => 100 * b.Accuracy.HalfWidth).ToList(), s.Optimizers[i], Plots.Color(i));
        }
        var depths = s.Depths.Order().ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(depths.Select(d => Math.Log2(d)).ToArray(),
            depths.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray());
        var line = plt.Add.HorizontalLine(100 * s.Threshold);
        line.LinePattern = LinePattern.Dotted;
        line.Color = Colors.Gray;
        plt.Title($"Best-lr final-epoch train accuracy vs depth ({s.Epochs} epochs{(s.Seeds > 1 ? $", mean ± 95 % CI of {s.Seeds} seeds" : ", 1 seed")})");
        plt.XLabel("depth (hidden layers, log scale)");
        plt.YLabel("train accuracy (%)");
        plt.Axes.SetLimitsY(0, 102);
        plt.ShowLegend(Alignment.LowerLeft);
        return plt.GetImageBytes(800, 500, ImageFormat.Png);
    }

    private static byte[] Curves(RunFolder folder, DepthSettings s, IReadOnlyList<PointResult> results, DepthSummary summary)
    {
        var panels = new List<Plot>();
        foreach (var opt in s.Optimizers)
        {
            var plt = new Plot();
            int i = 0;
            foreach (var b in summary.Best.Where(b => b.Optimizer == opt).OrderBy(b => b.Depth))
            {
                var runs = results.Where(r => r.Point.Optimizer == opt && r.Point.Depth == b.Depth && r.Point.Lr == b.Lr)
                    .Select(r => PointRunner.Metrics(folder, r.Point)).Where(m => m.Count > 0).ToList();
                var color = Plots.Color(i++);
                if (runs.Count == 0) continue;
                int epochs = runs.Max(m => m.Count);
                var x = Enumerable.Range(1, epochs).Select(e => (double)e).ToList();
                var y = x.Select(e => 100 * Mean(runs, (int)e)).ToList();
                Plots.Line(plt, x, y, null, $"depth {b.Depth} (lr {b.Lr.ToString("G3", CultureInfo.InvariantCulture)})", color);
            }
            plt.Title($"{opt}: train accuracy per epoch at the best lr");
            plt.XLabel("epoch");
            plt.YLabel("train accuracy (%)");
            plt.Axes.SetLimitsY(0, 102);
            plt.ShowLegend(Alignment.LowerRight);
            panels.Add(plt);
        }
        return Plots.Panels(panels, Math.Min(3, panels.Count));
    }

    private static double Mean(IEnumerable<List<EpochMetrics>> runs, int epoch) =>
        runs.Where(m => m.Count >= epoch).Select(m => m[epoch - 1].TrainAccuracy).DefaultIfEmpty(double.NaN).Average();
}
