using System.Globalization;
using System.Text;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using ScottPlot;

namespace Hybrid.Experiments.Margin;

/// <summary>The outputs of <c>hybrid margin</c>: results.csv (one row per unit), kernel.csv, summary.csv, results.json, report.md, summary.json and two plots.</summary>
public static class MarginReport
{
    /// <summary>Writes every output.</summary>
    public static void Write(RunFolder folder, MarginSettings s, IReadOnlyList<MarginUnitResult> units, IReadOnlyList<MarginKernelResult> kernels,
        string dataSource)
    {
        var summary = MarginUnit.Summarise(units);
        var kernel = SeedSummary.Of(kernels.Select(k => k.TestAccuracy));
        var (slope, slopeSe) = MarginSlope(units);
        folder.WriteText("results.csv", Csv.OfRecords(units));
        folder.WriteText("kernel.csv", Csv.OfRecords(kernels));
        folder.WriteText("summary.csv", Csv.Of(
            ["alpha", "single_test_mean", "single_test_half_width_95", "average_test_mean", "average_test_half_width_95",
             "random_test_mean", "random_test_half_width_95", "margin_median_mean", "margin_median_half_width_95", "interpolating_fraction", "seeds"],
            summary.Select(r => new object?[] { r.Alpha, r.Single.Mean, r.Single.HalfWidth, r.Average.Mean, r.Average.HalfWidth,
                r.Random.Mean, r.Random.HalfWidth, r.Margin.Mean, r.Margin.HalfWidth, r.Interpolating, r.Single.Count })));
        folder.WriteJson("results.json", new
        {
            units, kernels, kernelTestAccuracy = new { kernel.Mean, halfWidth95 = kernel.HalfWidth, seeds = kernel.Count },
            marginSlope = new { slope, standardError = slopeSe },
        });
        folder.WriteText("report.md", Markdown(s, units, kernels, dataSource));
        folder.WriteJson("summary.json", new { units = units.Count, data = dataSource, environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow });
        folder.WriteBytes("accuracy-vs-alpha.png", AccuracyPlot(s, summary, kernel));
        folder.WriteBytes("margin-vs-alpha.png", MarginPlot(summary));
    }

    /// <summary>
    /// The least-squares slope of log10(median normalised margin) against log10 α over the
    /// interpolating single nets, with its standard error: 1 when the margin is proportional to α.
    /// </summary>
    public static (double Slope, double StandardError) MarginSlope(IReadOnlyList<MarginUnitResult> units)
    {
        var points = units.Where(u => u.Interpolates && u.MarginMedian > 0).Select(u => (X: Math.Log10(u.Alpha), Y: Math.Log10(u.MarginMedian))).ToArray();
        if (points.Select(p => p.X).Distinct().Count() < 2) return (double.NaN, double.NaN);
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = points.Sum(p => (p.X - mx) * (p.X - mx)), sxy = points.Sum(p => (p.X - mx) * (p.Y - my));
        double slope = sxy / sxx;
        double residual = points.Sum(p => Math.Pow(p.Y - my - slope * (p.X - mx), 2));
        double se = points.Length > 2 ? Math.Sqrt(residual / (points.Length - 2) / sxx) : double.NaN;
        return (slope, se);
    }

    /// <summary>The report: settings, the table per α, the kernel plateau, the margin slope and the non-interpolating rows.</summary>
    public static string Markdown(MarginSettings s, IReadOnlyList<MarginUnitResult> units, IReadOnlyList<MarginKernelResult> kernels, string dataSource)
    {
        var inv = CultureInfo.InvariantCulture;
        var summary = MarginUnit.Summarise(units);
        var kernel = SeedSummary.Of(kernels.Select(k => k.TestAccuracy));
        var (slope, slopeSe) = MarginSlope(units);
        var sb = new StringBuilder();
        sb.AppendLine("# hybrid margin: normalised-margin control").AppendLine();
        sb.AppendLine($"- Data: {dataSource}; n = {s.TrainSize}; {(s.TestSize is int t ? $"{t} test points" : "the whole test set")}.");
        sb.AppendLine(string.Create(inv, $"- Networks: bias-free ReLU·√2 MLP, {s.Depth} hidden layers of {s.Width}; Nero with constraints " +
                      $"(every layer's rows zero-mean, unit-norm, so Π‖W‖_F is fixed), lr {s.Lr} × {s.Fit.Schedule.Decay:G4}^t, {s.Steps} full-batch steps, " +
                      $"loss ‖f(X) − α·targets‖; inputs rescaled to ‖x‖ = √d."));
        sb.AppendLine($"- Averages: {s.AverageK} networks (outputs averaged) at α ∈ {{{string.Join(", ", s.AverageAlphas.Select(a => a.ToString("G3", inv)))}}}; " +
                      $"random-label twin: {(s.RandomLabels ? "yes (tested on the true test labels)" : "no")}.");
        sb.AppendLine($"- Seeds: {string.Join(", ", s.Fit.SeedList)}. Values: mean ± 95 % interval over seeds (Student t).").AppendLine();
        sb.AppendLine($"Kernel interpolator (NNGP of the same MLP): test accuracy {kernel.Format("F2", 100)} %.").AppendLine();
        sb.AppendLine(string.Create(inv, $"Normalised margin ∝ α: slope of log median margin against log α over the interpolating single nets " +
                      $"= {slope:F4} ± {slopeSe:G2} (standard error; 1 means proportional)."));
        sb.AppendLine();
        sb.AppendLine("| α | single net test acc (%) | k-net average (%) | random labels test acc (%) | median normalised margin | single nets at 100 % train |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var r in summary)
            sb.AppendLine(string.Create(inv, $"| {r.Alpha:G3} | {r.Single.Format("F2", 100)} | {(r.Average.Count > 0 ? r.Average.Format("F2", 100) : "—")} | " +
                $"{(r.Random.Count > 0 ? r.Random.Format("F2", 100) : "—")} | {r.Margin.Mean:G3} | {100 * r.Interpolating:F0} % |"));
        var failed = units.Where(u => !u.Interpolates || (s.RandomLabels && u.RandomTrainAccuracy < 1)).ToList();
        sb.AppendLine();
        if (failed.Count == 0) sb.AppendLine("Every single net and every random-label twin reached 100 % training accuracy.");
        else
        {
            sb.AppendLine("Rows that do **not** interpolate (their margin is not the controlled one):").AppendLine();
            foreach (var u in failed)
                sb.AppendLine(string.Create(inv, $"- α = {u.Alpha:G3}, seed {u.Seed}: single net train {100 * u.TrainAccuracy:F1} %") +
                    (s.RandomLabels ? string.Create(inv, $", random-label twin train {100 * u.RandomTrainAccuracy:F1} %") : "") + ".");
        }
        sb.AppendLine().AppendLine("Plots: `accuracy-vs-alpha.png`, `margin-vs-alpha.png`. Per-unit files are under `units/`.");
        return sb.ToString();
    }

    private static byte[] AccuracyPlot(MarginSettings s,
        IReadOnlyList<(double Alpha, SeedSummary Single, SeedSummary Average, SeedSummary Random, SeedSummary Margin, double Interpolating)> summary,
        SeedSummary kernel)
    {
        var averaged = summary.Where(r => r.Average.Count > 0).ToArray();
        var series = new List<Series>
        {
            new("single net", summary.Select(r => r.Alpha).ToArray(), summary.Select(r => 100 * r.Single.Mean).ToArray(),
                summary.Select(r => 100 * r.Single.HalfWidth).ToArray()),
            new($"average of {s.AverageK} nets", averaged.Select(r => r.Alpha).ToArray(), averaged.Select(r => 100 * r.Average.Mean).ToArray(),
                averaged.Select(r => 100 * r.Average.HalfWidth).ToArray()),
        };
        if (s.RandomLabels)
            series.Add(new("random-label twin", summary.Select(r => r.Alpha).ToArray(), summary.Select(r => 100 * r.Random.Mean).ToArray(),
                summary.Select(r => 100 * r.Random.HalfWidth).ToArray(), LinePattern.Dotted));
        return SeriesPlot.Render("Test accuracy vs target scale α (95 % intervals over seeds)", "α (normalised margin ∝ α)", "test accuracy (%)",
            series, logX: true, lines: [($"kernel interpolator ({100 * kernel.Mean:F2} %)", 100 * kernel.Mean)], yRange: (0, 100),
            legend: Alignment.LowerRight);
    }

    private static byte[] MarginPlot(
        IReadOnlyList<(double Alpha, SeedSummary Single, SeedSummary Average, SeedSummary Random, SeedSummary Margin, double Interpolating)> summary)
    {
        var positive = summary.Where(r => r.Margin.Mean > 0).ToArray();
        // the slope-1 reference passes through the geometric mean of margin/α over the rows where every single net interpolates
        var interpolating = positive.Where(r => r.Interpolating == 1).ToArray();
        var anchor = interpolating.Length > 0 ? interpolating : positive;
        double c = anchor.Length > 0 ? anchor.Average(r => Math.Log10(r.Margin.Mean / r.Alpha)) : 0;
        var series = new[]
        {
            new Series("median normalised margin (single net, mean over seeds)", positive.Select(r => r.Alpha).ToArray(),
                positive.Select(r => r.Margin.Mean).ToArray()),
            new Series("∝ α (slope 1)", positive.Select(r => r.Alpha).ToArray(), positive.Select(r => r.Alpha * Math.Pow(10, c)).ToArray(),
                Pattern: LinePattern.Dashed),
        };
        return SeriesPlot.Render("Normalised margin vs α", "α", "normalised margin", series, logX: true, logY: true, legend: Alignment.UpperLeft);
    }
}
