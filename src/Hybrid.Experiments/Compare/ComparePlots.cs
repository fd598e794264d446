using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using ScottPlot;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// The comparison's plots, with linear energy axes in µJ: energy per step stacked by pass and
/// compute/memory, accuracy against full-step energy and against bits (error bars: 95 % intervals over
/// seeds, none for one seed), and the mean learning curves.
/// </summary>
public static class ComparePlots
{
    /// <summary>Writes every plot into <paramref name="folder"/>.</summary>
    public static void WriteAll(RunFolder folder, IReadOnlyList<CompareSummary> rows, IReadOnlyList<CompareRow> runs)
    {
        if (rows.Any(r => double.IsFinite(r.EnergyPerStepPj.Mean)))
        {
            folder.WriteBytes("energy-by-pass.png", EnergyByPass(rows));
            folder.WriteBytes("accuracy-vs-energy.png", AccuracyVsEnergy(rows));
        }
        folder.WriteBytes("accuracy-vs-bits.png", AccuracyVsBits(rows));
        var curves = rows.Select(r => (r.Name, MeanCurve(folder, runs.Where(x => x.Key == r.Key)))).Where(c => c.Item2.Count > 0).ToList();
        if (curves.Count > 0) folder.WriteBytes("learning-curves.png", LearningCurves(curves));
    }

    private static double Ci(Statistics.SeedSummary s) => s.Count > 1 ? s.HalfWidth : 0;

    private static byte[] EnergyByPass(IReadOnlyList<CompareSummary> rows)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var passes = rows[0].Passes.Select(p => p.Pass).ToList();
        var bars = new List<Bar>();
        for (int i = 0; i < rows.Count; ++i)
        {
            double y = 0;
            for (int p = 0; p < passes.Count; ++p)
            {
                var e = rows[i].Passes[p];
                foreach (var (value, memory) in new[] { (e.ComputePj, false), (e.MemoryPj, true) })
                {
                    var c = palette.GetColor(p);
                    bars.Add(new Bar { Position = i, ValueBase = y, Value = y + value / 1e6, FillColor = memory ? c.Lighten(0.5) : c });
                    y += value / 1e6;
                }
            }
        }
        var plot = plt.Add.Bars(bars);
        plot.Horizontal = true; // long row names read best on the left axis
        for (int p = 0; p < passes.Count; ++p)
        {
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = $"{passes[p]}: compute", FillColor = palette.GetColor(p) });
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = $"{passes[p]}: memory", FillColor = palette.GetColor(p).Lighten(0.5) });
        }
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray(), rows.Select(r => r.Name).ToArray());
        plt.Axes.Margins(left: 0);
        plt.Axes.InvertY(); // the first row on top, as in the tables
        plt.Title("Estimated energy per training step, by pass (model estimate)");
        plt.XLabel("energy per step (µJ)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(1100, 700, ImageFormat.Png);
    }

    private static byte[] AccuracyVsEnergy(IReadOnlyList<CompareSummary> rows)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var r in rows.Where(r => double.IsFinite(r.EnergyPerStepPj.Mean) && double.IsFinite(r.TestAccuracy.Mean)))
        {
            var color = palette.GetColor(i++);
            double x = r.EnergyPerStepPj.Mean / 1e6, y = 100 * r.TestAccuracy.Mean;
            var m = plt.Add.Marker(x, y);
            m.Size = 9;
            m.Color = color;
            m.LegendText = r.Name;
            if (r.TestAccuracy.Count > 1)
            {
                var eb = plt.Add.ErrorBar([x], [y], [100 * Ci(r.TestAccuracy)]);
                eb.Color = color;
            }
        }
        plt.Title("Test accuracy vs estimated full-step energy (model estimate)");
        plt.XLabel("energy per training step (µJ)");
        plt.YLabel("test accuracy (%)");
        plt.Axes.SetLimitsX(0, rows.Where(r => double.IsFinite(r.EnergyPerStepPj.Mean)).Max(r => r.EnergyPerStepPj.Mean) / 1e6 * 1.05);
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(900, 600, ImageFormat.Png);
    }

    private static byte[] AccuracyVsBits(IReadOnlyList<CompareSummary> rows)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int c = 0;
        foreach (var group in rows.Where(r => r.Kind is "lns" or "lns-full").GroupBy(r => r.Kind == "lns" ? "weights-only LNS" : r.Name[(r.Name.LastIndexOf('(') + 1)..^1]))
        {
            var g = group.OrderBy(r => r.BitsPerSynapse).ToList();
            var color = palette.GetColor(c++);
            double[] xs = g.Select(r => (double)r.BitsPerSynapse).ToArray(), ys = g.Select(r => 100 * r.TestAccuracy.Mean).ToArray();
            var sc = plt.Add.Scatter(xs, ys, color);
            sc.LegendText = group.Key == "weights-only LNS" ? group.Key : $"full LNS ({group.Key})";
            sc.MarkerSize = 8;
            if (g.Any(r => r.TestAccuracy.Count > 1)) plt.Add.ErrorBar(xs, ys, g.Select(r => 100 * Ci(r.TestAccuracy)).ToArray()).Color = color;
        }
        foreach (var f in rows.Where(r => r.Kind is not ("lns" or "lns-full")))
        {
            var line = plt.Add.HorizontalLine(100 * f.TestAccuracy.Mean);
            line.LegendText = $"{f.Name} ({f.TestAccuracy.Format("F2", 100)} %)";
            line.LinePattern = f.Kind == "adam" ? LinePattern.Dashed : LinePattern.Dotted;
            line.Color = palette.GetColor(c++);
        }
        plt.Title("Test accuracy vs bits per stored weight");
        plt.XLabel("bits per stored weight (B, or B_u for full LNS)");
        plt.YLabel("test accuracy (%)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(900, 550, ImageFormat.Png);
    }

    private static List<(int Epoch, double Accuracy)> MeanCurve(RunFolder folder, IEnumerable<CompareRow> runs)
    {
        var curves = runs.Select(r => Path.Combine(folder.Path, r.RunFolder, "metrics.csv")).Where(File.Exists)
            .Select(p => EpochMetrics.ReadCsv(p)).Where(m => m.Count > 0).ToList();
        if (curves.Count == 0) return [];
        int epochs = curves.Min(m => m.Count);
        return Enumerable.Range(0, epochs).Select(e => (curves[0][e].Epoch, curves.Average(m => m[e].TestAccuracy))).ToList();
    }

    private static byte[] LearningCurves(IReadOnlyList<(string Name, List<(int Epoch, double Accuracy)> Curve)> curves)
    {
        var plt = new Plot();
        foreach (var (name, curve) in curves)
        {
            var sc = plt.Add.Scatter(curve.Select(p => (double)p.Epoch).ToArray(), curve.Select(p => 100 * p.Accuracy).ToArray());
            sc.LegendText = name;
        }
        plt.Title("Test accuracy per epoch (mean over seeds)");
        plt.XLabel("epoch");
        plt.YLabel("test accuracy (%)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(900, 550, ImageFormat.Png);
    }
}
