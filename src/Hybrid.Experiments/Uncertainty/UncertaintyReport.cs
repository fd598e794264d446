using System.Globalization;
using System.Text;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using ScottPlot;

namespace Hybrid.Experiments.Uncertainty;

/// <summary>
/// The outputs of <c>hybrid uncertainty</c>: results.csv (per unit and source), selective.csv,
/// reliability.csv, rank-correlations.csv, results.json, report.md, summary.json and, per n, a
/// selective-accuracy plot and a reliability diagram.
/// </summary>
public static class UncertaintyReport
{
    /// <summary>Writes every output.</summary>
    public static void Write(RunFolder folder, UncertaintySettings s, IReadOnlyList<SourceMetrics> metrics, IReadOnlyList<RankCorrelation> correlations)
    {
        var cov = UncertaintySettings.Coverages;
        folder.WriteText("results.csv", Csv.Of(["n", "seed", "source", "accuracy", "mean_confidence", "ece", "mean_selective_accuracy"],
            metrics.Select(m => new object?[] { m.N, m.Seed, m.Source, m.Accuracy, m.MeanConfidence, m.Ece, m.MeanSelective })));
        folder.WriteText("selective.csv", Csv.Of(["n", "seed", "source", "coverage", "accuracy"],
            metrics.SelectMany(m => cov.Select((c, i) => new object?[] { m.N, m.Seed, m.Source, c, m.Selective[i] }))));
        folder.WriteText("reliability.csv", Csv.Of(["n", "seed", "source", "low", "high", "count", "confidence", "accuracy"],
            metrics.SelectMany(m => m.Bins.Select(b => new object?[] { m.N, m.Seed, m.Source, b.Low, b.High, b.Count, b.Confidence, b.Accuracy }))));
        folder.WriteText("rank-correlations.csv", Csv.OfRecords(correlations));
        folder.WriteJson("results.json", new { coverages = cov, metrics, correlations });
        folder.WriteText("report.md", Markdown(s, metrics, correlations));
        folder.WriteJson("summary.json", new { units = metrics.Select(m => (m.N, m.Seed)).Distinct().Count(), environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow });
        foreach (int n in metrics.Select(m => m.N).Distinct())
        {
            folder.WriteBytes($"selective-accuracy-n{n}.png", SelectivePlot(metrics.Where(m => m.N == n).ToList(), n));
            folder.WriteBytes($"reliability-n{n}.png", ReliabilityPlot(metrics.Where(m => m.N == n).ToList(), n, s.Bins));
        }
    }

    /// <summary>The report: per n, accuracy, calibration and selective accuracy of each source, rank correlations, and what they show.</summary>
    public static string Markdown(UncertaintySettings s, IReadOnlyList<SourceMetrics> metrics, IReadOnlyList<RankCorrelation> correlations)
    {
        var inv = CultureInfo.InvariantCulture;
        var b = s.Bpm;
        var sb = new StringBuilder();
        sb.AppendLine("# hybrid uncertainty: regularise for accuracy, anti-regularise for uncertainty").AppendLine();
        sb.AppendLine(string.Create(inv, $"- Units: `hybrid bpm` at n ∈ {{{string.Join(", ", b.TrainSizes)}}}, seeds {string.Join(", ", b.Fit.SeedList)}" +
                      $"{(s.From is null ? " (run here)" : $" (reused from {s.From})")}; {b.NnVoters} small-margin nets, {b.GpVoters} GP draws, " +
                      $"a large-margin net (α = {b.LargeMargin}); {b.Depth} hidden layers of {b.Width}, {b.Steps} steps; data {b.Data}, task {b.Task}."));
        sb.AppendLine("- Sources: the small-margin NN vote fraction max(p, 1 − p); the GP posterior vote fraction; Φ(|μ|/σ) from the GP posterior " +
                      "predictive's exact mean and standard deviation; the large-margin net's |f(x)| (a score, not a probability: no calibration).");
        sb.AppendLine($"- Selective accuracy: accuracy on the most confident fraction of test points (ties share their group's accuracy). " +
                      $"Calibration: expected calibration error over {s.Bins} confidence bins on [½, 1]. Values: mean ± 95 % interval over seeds; " +
                      "a difference inside the intervals is not called a win.").AppendLine();
        foreach (int n in metrics.Select(m => m.N).Distinct().OrderBy(n => n))
        {
            var rows = metrics.Where(m => m.N == n).ToList();
            sb.AppendLine($"## n = {n}").AppendLine();
            sb.AppendLine("| source | accuracy (%) | mean confidence (%) | ECE (%) | selective acc. @10 % (%) | @50 % (%) | mean over coverages (%) |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            int i10 = Array.IndexOf(UncertaintySettings.Coverages, 0.1), i50 = Array.IndexOf(UncertaintySettings.Coverages, 0.5);
            var summaries = new Dictionary<string, (SeedSummary Acc, SeedSummary Ece, SeedSummary At10, SeedSummary At50, SeedSummary Mean)>();
            var calibration = new List<string>();
            foreach (var (key, label, probability) in UncertaintyExperiment.Sources)
            {
                var m = rows.Where(r => r.Source == key).ToList();
                var x = (SeedSummary.Of(m.Select(r => r.Accuracy)), SeedSummary.Of(m.Select(r => r.Ece)), SeedSummary.Of(m.Select(r => r.Selective[i10])),
                    SeedSummary.Of(m.Select(r => r.Selective[i50])), SeedSummary.Of(m.Select(r => r.MeanSelective)));
                summaries[key] = x;
                var confidence = SeedSummary.Of(m.Select(r => r.MeanConfidence));
                sb.AppendLine($"| {label} | {x.Item1.Format("F2", 100)} | {(probability ? confidence.Format("F2", 100) : "—")} | " +
                              $"{(probability ? x.Item2.Format("F2", 100) : "—")} | {x.Item3.Format("F2", 100)} | {x.Item4.Format("F2", 100)} | {x.Item5.Format("F2", 100)} |");
                if (probability)
                {
                    bool under = m.All(r => r.MeanConfidence < r.Accuracy), over = m.All(r => r.MeanConfidence > r.Accuracy);
                    calibration.Add($"The {label} is {(under ? "under-confident on every seed" : over ? "over-confident on every seed" : "not consistently under- or over-confident across seeds")}: " +
                                    $"mean confidence {confidence.Format("F2", 100)} % against accuracy {x.Item1.Format("F2", 100)} %.");
                }
            }
            sb.AppendLine().AppendLine("Spearman rank correlation of the confidences:").AppendLine();
            sb.AppendLine("| pair | ρ |").AppendLine("|---|---:|");
            foreach (var g in correlations.Where(c => c.N == n).GroupBy(c => (c.A, c.B)))
                sb.AppendLine($"| {g.Key.A} vs {g.Key.B} | {SeedSummary.Of(g.Select(c => c.Spearman)).Format("F3")} |");
            sb.AppendLine().AppendLine("What the measurements show:").AppendLine();
            foreach (var line in calibration.Concat(Findings(summaries))) sb.AppendLine($"- {line}");
            sb.AppendLine();
        }
        sb.AppendLine("Plots: `selective-accuracy-n*.png`, `reliability-n*.png`. Per-point inputs: each bpm unit's `predictions.csv`.");
        return sb.ToString();
    }

    // Statements derived from the numbers, with the interval rule: a difference is stated only when the intervals are disjoint.
    private static IEnumerable<string> Findings(
        Dictionary<string, (SeedSummary Acc, SeedSummary Ece, SeedSummary At10, SeedSummary At50, SeedSummary Mean)> s)
    {
        string Compare(string what, string a, SeedSummary x, string b, SeedSummary y, bool higherIsBetter)
        {
            if (!x.DiffersFrom(y))
                return $"{what}: {a} {x.Format("F2", 100)} % and {b} {y.Format("F2", 100)} % — no difference beyond the intervals" +
                       (x.Count < 2 ? " (one seed: no intervals)" : "") + ".";
            bool aBetter = higherIsBetter ? x.Mean > y.Mean : x.Mean < y.Mean;
            return $"{what}: {(aBetter ? a : b)} is better ({a} {x.Format("F2", 100)} %, {b} {y.Format("F2", 100)} %).";
        }
        yield return Compare("Mean selective accuracy", "the NN vote", s["nn-vote"].Mean, "the large-margin net", s["large-margin"].Mean, true);
        yield return Compare("Mean selective accuracy", "the NN vote", s["nn-vote"].Mean, "the GP Φ(|μ|/σ)", s["gp-phi"].Mean, true);
        yield return Compare("Selective accuracy on the 10 % most confident", "the NN vote", s["nn-vote"].At10, "the large-margin net", s["large-margin"].At10, true);
        yield return Compare("Calibration error", "the NN vote", s["nn-vote"].Ece, "the GP vote", s["gp-vote"].Ece, false);
        yield return Compare("Calibration error", "the NN vote", s["nn-vote"].Ece, "the GP Φ(|μ|/σ)", s["gp-phi"].Ece, false);
        yield return Compare("Accuracy", "the NN vote", s["nn-vote"].Acc, "the large-margin net", s["large-margin"].Acc, true);
    }

    private static byte[] SelectivePlot(IReadOnlyList<SourceMetrics> rows, int n)
    {
        var cov = UncertaintySettings.Coverages;
        var series = UncertaintyExperiment.Sources.Select(src =>
        {
            var m = rows.Where(r => r.Source == src.Key).ToList();
            var sums = cov.Select((_, i) => SeedSummary.Of(m.Select(r => r.Selective[i]))).ToArray();
            return new Series(src.Label, cov.Select(c => 100 * c).ToArray(), sums.Select(x => 100 * x.Mean).ToArray(), sums.Select(x => 100 * x.HalfWidth).ToArray());
        });
        return SeriesPlot.Render($"Selective accuracy, n = {n} (95 % intervals over seeds)", "coverage: most confident % of test points",
            "accuracy on them (%)", series, logX: false, legend: Alignment.LowerLeft);
    }

    private static byte[] ReliabilityPlot(IReadOnlyList<SourceMetrics> rows, int n, int bins)
    {
        var series = UncertaintyExperiment.Sources.Where(s => s.Probability).Select(src =>
        {
            // pool the seeds: counts add, confidence and accuracy are count-weighted
            var all = rows.Where(r => r.Source == src.Key).SelectMany(r => r.Bins).GroupBy(b => b.Low).OrderBy(g => g.Key)
                .Select(g => (Conf: g.Sum(b => b.Count * (double.IsNaN(b.Confidence) ? 0 : b.Confidence)) / Math.Max(1, g.Sum(b => b.Count)),
                    Acc: g.Sum(b => b.Count * (double.IsNaN(b.Accuracy) ? 0 : b.Accuracy)) / Math.Max(1, g.Sum(b => b.Count)),
                    Count: g.Sum(b => b.Count)))
                .Where(p => p.Count > 0).ToArray();
            return new Series(src.Label, all.Select(p => 100 * p.Conf).ToArray(), all.Select(p => 100 * p.Acc).ToArray());
        }).ToList();
        series.Add(new Series("perfect calibration", [50, 100], [50, 100], Pattern: LinePattern.Dashed));
        return SeriesPlot.Render($"Reliability diagram, n = {n} ({bins} bins, seeds pooled)", "confidence (%)", "accuracy (%)", series, logX: false,
            legend: Alignment.LowerRight);
    }
}
