using System.Globalization;
using System.Text;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Optimizers;
using ScottPlot;

using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Transfer;

/// <summary>The outputs of <c>hybrid transfer</c>: results.csv/json, summary.json, report.md and four plots.</summary>
public static class TransferReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every output (also for a partly finished grid).</summary>
    public static void Write(RunFolder folder, TransferSettings s, IReadOnlyList<PointResult> results, TransferSummary summary,
        string dataNote, string dataSummary, int classes)
    {
        folder.WriteText("results.csv", PointResult.Csv(results));
        folder.WriteJson("results.json", results);
        folder.WriteJson("summary.json", new
        {
            summary.Slices, summary.Cells, points = s.Points.Count, finished = results.Count(r => r.Status != RunStatus.Cancelled),
            data = dataSummary, environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow,
        });
        folder.WriteText("report.md", Markdown(s, results, summary, dataNote, dataSummary));
        double lossCeiling = Math.Log(classes) + 0.3;
        foreach (var axis in PlotAxes(s))
        {
            folder.WriteBytes($"loss-vs-lr-by-{axis}.png", Panels(s, summary, axis, loss: true, lossCeiling));
            folder.WriteBytes($"accuracy-vs-lr-by-{axis}.png", Panels(s, summary, axis, loss: false, lossCeiling));
        }
    }

    // width and depth always; bits and c2c-noise where asked for and some optimiser takes them
    private static IEnumerable<string> PlotAxes(TransferSettings s) =>
        new[] { "width", "depth" }.Concat(TransferSettings.HardwareAxes.Where(a => s.HardwareOptimizers(a).Count > 0));

    /// <summary>"16: 0.01, 8: 0.01, 6: 0.1": a slice's best rate at each value (— where no rate trains).</summary>
    public static string BestPerValue(TransferSlice sl) =>
        string.Join(", ", sl.Values.Select((v, i) => string.Create(Inv, $"{v:G6}: ") + (double.IsFinite(sl.BestLr[i]) ? sl.BestLr[i].ToString("G3", Inv) : "—")));

    /// <summary>The report: settings and horizon, per optimiser the best rate at each width and depth and how far it moves.</summary>
    public static string Markdown(TransferSettings s, IReadOnlyList<PointResult> results, TransferSummary summary, string dataNote, string dataSummary)
    {
        var sb = new StringBuilder();
        bool hardware = TransferSettings.HardwareAxes.Any(a => s.HardwareValues(a).Length > 0);
        sb.AppendLine("# hybrid transfer: does the best learning rate stay put across width and depth" +
            (hardware ? " and when the hardware gets cheaper (bits, device noise)?" : "?")).AppendLine();
        sb.AppendLine($"- Data: {dataSummary}. {dataNote}");
        sb.AppendLine(string.Create(Inv, $"- Model: {s.Model} with biases, ReLU; widths {string.Join(", ", s.Widths)} at depth {s.BaseDepth}, depths {string.Join(", ", s.Depths)} at width {s.BaseWidth} ({s.Grid} grid)."));
        foreach (var axis in TransferSettings.HardwareAxes.Where(a => s.HardwareValues(a).Length > 0))
        {
            sb.AppendLine(string.Create(Inv, $"- {axis} slice at width {s.BaseWidth}, depth {s.BaseDepth}: {string.Join(", ", s.HardwareValues(axis).Select(v => v.ToString("G6", Inv)))} " +
                $"(in the order given; the shift is from the first to the last) for {string.Join(", ", s.HardwareOptimizers(axis))}."));
            foreach (var (opt, why) in s.LeftOut(axis))
                sb.AppendLine($"  - {opt} is left out of the {axis} slice: {why}");
        }
        sb.AppendLine(string.Create(Inv, $"- Horizon: {s.Epochs} epochs of batch {s.BatchSize}, learning rate ×{s.LrDecay} per epoch; seeds {s.Seeds}."));
        sb.AppendLine("- Learning rates: " + string.Join("; ", s.Optimizers.Select(o => $"{o} {{{string.Join(", ", s.Lrs(o).Select(l => l.ToString("G3", Inv)))}}}")) + ".");
        sb.AppendLine("- Metric: final-epoch training loss (mean over the epoch's batches); the best rate has the lowest mean loss over seeds; a rate at which any seed diverged is never the best, and where no rate gets 5 % below the chance loss there is no best rate.");
        sb.AppendLine(string.Create(Inv, $"- Points finished: {results.Count(r => r.Status != RunStatus.Cancelled)} of {s.Points.Count}; diverged: {results.Count(r => r.Diverged)}."));
        sb.AppendLine().AppendLine("How far the best learning rate moves, in decades (grid resolution: one decade; \"interp.\" from a parabola in log10 lr through the best rate and its neighbours):").AppendLine();
        sb.AppendLine("| optimizer | default lr | axis | best lr per value | shift (decades) | range | shift interp. | " + (s.Seeds > 1 ? "shift per seed (mean ± 95 %) | " : "") + "default is best |");
        sb.AppendLine("|---|---:|---|---|---:|---:|---:|" + (s.Seeds > 1 ? "---:|" : "") + "---:|");
        foreach (var sl in summary.Slices)
            sb.AppendLine(string.Create(Inv, $"| {sl.Optimizer} | {OptimizerCatalog.DefaultLr(sl.Optimizer):G3} | {sl.Axis} | ") +
                BestPerValue(sl) +
                string.Create(Inv, $" | {sl.ShiftDecades:+0.##;-0.##;0} | {sl.RangeDecades:0.##} | {sl.ShiftInterpolated:+0.##;-0.##;0} | ") +
                (s.Seeds > 1 ? (sl.SeedShift?.Format("F2") ?? "—") + " | " : "") + $"{sl.DefaultIsBest}/{sl.Values.Length} |");
        sb.AppendLine().AppendLine("—: no rate trains there (every rate diverged or ended within 5 % of the chance loss); shifts are between the values where one does. " +
            "A negative shift means the best rate falls as the network grows (width, depth) or along the values given (bits, c2c-noise). " +
            (s.Seeds > 1 ? "A shift whose interval contains 0 is not a shift." : "One seed: no interval, so no shift here is called significant."));
        sb.AppendLine().AppendLine("Plots: " + string.Join(", ", PlotAxes(s).SelectMany(a => new[] { $"`loss-vs-lr-by-{a}.png`", $"`accuracy-vs-lr-by-{a}.png`" })) +
            " (one panel per optimiser). Every run is under `points/`.");
        return sb.ToString();
    }

    private static byte[] Panels(TransferSettings s, TransferSummary summary, string axis, bool loss, double lossCeiling)
    {
        var panels = new List<Plot>();
        bool hardware = TransferSettings.HardwareAxes.Contains(axis);
        foreach (var opt in hardware ? s.HardwareOptimizers(axis) : s.Optimizers)
        {
            var plt = new Plot();
            double[] values = axis switch
            {
                "width" => s.Widths.Order().Select(w => (double)w).ToArray(),
                "depth" => s.Depths.Order().Select(d => (double)d).ToArray(),
                _ => s.HardwareValues(axis),
            };
            for (int i = 0; i < values.Length; ++i)
            {
                int w = axis == "width" ? (int)values[i] : s.BaseWidth, d = axis == "depth" ? (int)values[i] : s.BaseDepth;
                var cells = summary.Curve(opt, w, d, axis == "bits" ? (int)values[i] : null, axis == "c2c-noise" ? values[i] : null);
                var m = cells.Select(c => loss ? c.Loss : c.Accuracy).ToList();
                double scale = loss ? 1 : 100;
                Plots.Line(plt, cells.Select(c => Math.Log10(c.Lr)).ToList(), m.Select(x => scale * x.Mean).ToList(),
                    m.Select(x => scale * x.HalfWidth).ToList(), string.Create(Inv, $"{axis} {values[i]:G6}"), Plots.Color(i));
            }
            var def = plt.Add.VerticalLine(Math.Log10(OptimizerCatalog.DefaultLr(opt)));
            def.LinePattern = LinePattern.Dotted;
            def.Color = Colors.Gray;
            def.LegendText = "default lr";
            Plots.Log10Ticks(plt.Axes.Bottom);
            plt.Title(axis switch
            {
                "width" => $"{opt}: depth {s.BaseDepth}, widths",
                "depth" => $"{opt}: width {s.BaseWidth}, depths",
                "bits" => $"{opt}: {s.BaseDepth}×{s.BaseWidth}, bits per synapse",
                _ => $"{opt}: {s.BaseDepth}×{s.BaseWidth}, c2c device noise",
            });
            plt.XLabel("learning rate");
            plt.YLabel(loss ? "final-epoch train loss" : "final-epoch train accuracy (%)");
            if (loss) plt.Axes.SetLimitsY(0, lossCeiling);
            else plt.Axes.SetLimitsY(0, 102);
            plt.ShowLegend(loss ? Alignment.LowerLeft : Alignment.UpperLeft);
            panels.Add(plt);
        }
        return Plots.Panels(panels, Math.Min(3, panels.Count));
    }
}
