using System.Globalization;
using System.Text;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using ScottPlot;

namespace Hybrid.Experiments.Bpm;

/// <summary>The outputs of <c>hybrid bpm</c>: results.csv (one row per unit), summary.csv, results.json, report.md, summary.json and two plots.</summary>
public static class BpmReport
{
    /// <summary>jxbz/bpm's published rows (MNIST odd vs even, depth 7, width 1000, 501 NN voters, 10⁵ GP voters; test error %), for comparison.</summary>
    public static readonly IReadOnlyDictionary<int, IReadOnlyDictionary<string, double>> Anchors = new Dictionary<int, IReadOnlyDictionary<string, double>>
    {
        [50] = new Dictionary<string, double>
        {
            ["gibbs_bound"] = 58.5, ["gp_gibbs"] = 39.1, ["gp_vote"] = 20.65, ["kernel"] = 20.66, ["large_margin"] = 21.1,
            ["nn_gibbs"] = 37.2, ["nn_vote"] = 24.4,
        },
        [1000] = new Dictionary<string, double>
        {
            ["gibbs_bound"] = 41.4, ["gp_gibbs"] = 26.6, ["gp_vote"] = 4.26, ["kernel"] = 4.27, ["large_margin"] = 4.41,
            ["nn_gibbs"] = 23.2, ["nn_vote"] = 5.48,
        },
    };

    /// <summary>Writes every output.</summary>
    public static void Write(RunFolder folder, BpmSettings s, IReadOnlyList<BpmUnitResult> units, IReadOnlyList<BpmSummaryRow> summary,
        string dataSource, IReadOnlyList<VoteCurvePoint[]?>? curves = null)
    {
        curves ??= units.Select(_ => (VoteCurvePoint[]?)null).ToArray();
        folder.WriteText("results.csv", Csv.OfRecords(units));
        folder.WriteText("summary.csv", SummaryCsv(summary));
        folder.WriteJson("results.json", new { units, summary = summary.Select(SummaryJson) });
        folder.WriteText("report.md", Markdown(s, units, summary, dataSource, curves));
        folder.WriteJson("summary.json", new { units = units.Count, data = dataSource, environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow });
        folder.WriteBytes("test-error-vs-n.png", Plot(summary, ["kernel", "gp_vote", "large_margin", "nn_vote", "nn_gibbs", "gp_gibbs"],
            "Test error vs training size (95 % intervals over seeds)"));
        folder.WriteBytes("bounds-vs-n.png", Plot(summary, ["gibbs_bound", "gibbs_bound_mc", "gp_cbound", "nn_cbound", "gp_gibbs", "gp_vote"],
            "Bounds vs training size (test errors for reference)"));
        folder.WriteBytes("vote-error-vs-k.png", CurvePlot(units, curves));
    }

    /// <summary>The per-n summary as CSV.</summary>
    public static string SummaryCsv(IEnumerable<BpmSummaryRow> rows) => Csv.Of(
        ["n", "key", "label", "mean", "half_width_95", "sd", "seeds", "test_se"],
        rows.Select(r => new object?[] { r.N, r.Key, r.Label, r.Seeds.Mean, r.Seeds.HalfWidth, r.Seeds.Sd, r.Seeds.Count, r.TestSe }));

    private static object SummaryJson(BpmSummaryRow r) =>
        new { r.N, r.Key, r.Label, mean = r.Seeds.Mean, halfWidth95 = r.Seeds.HalfWidth, sd = r.Seeds.Sd, seeds = r.Seeds.Count, testSe = r.TestSe };

    /// <summary>The report: settings, one table per n, the per-unit diagnostics.</summary>
    public static string Markdown(BpmSettings s, IReadOnlyList<BpmUnitResult> units, IReadOnlyList<BpmSummaryRow> summary, string dataSource,
        IReadOnlyList<VoteCurvePoint[]?>? curves = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# hybrid bpm: neural networks as Bayes point machines, and the bounds").AppendLine();
        sb.AppendLine($"- Data: {dataSource}; {(s.TestSize is int t ? $"{t} test points" : "the whole test set")}.");
        sb.AppendLine(string.Create(inv, $"- Networks: bias-free ReLU·√2 MLP, {s.Depth} hidden layers of {s.Width} (depth {s.Depth + 1} in the authors' count), " +
                      $"Nero lr {s.Lr} × {s.Fit.Schedule.Decay:G4}^t, {s.Steps} full-batch steps, loss ‖f(X) − targets‖. Ensemble: {s.NnVoters} small-margin nets " +
                      $"(targets y ⊙ |ξ| · det(Σ)^{{1/2n}}); one large-margin net (α = {s.LargeMargin})."));
        sb.AppendLine(string.Create(inv, $"- GP: NNGP kernel ({s.Depth} arc-cos steps from x·x′/d), float64 Cholesky; {s.GpVoters} posterior draws " +
                      $"(training values y ⊙ |ξ| · det(Σ)^{{1/2n}}, test values from the exact conditional, marginally per test point); " +
                      $"δ = {s.Delta}; Monte-Carlo ln 1/P from {s.BoundSamples} importance samples."));
        sb.AppendLine($"- Seeds: {string.Join(", ", s.Fit.SeedList)} (each a different training subset, initialisation and draw). " +
                      "Values: mean ± 95 % interval over seeds (Student t); test SE = standard error over test points, mean over seeds.").AppendLine();
        foreach (var group in summary.GroupBy(r => r.N))
        {
            sb.AppendLine($"## n = {group.Key}").AppendLine();
            bool anchored = Anchors.TryGetValue(group.Key, out var anchor);
            sb.AppendLine(anchored ? "| quantity | test error / bound (%) | test SE (%) | jxbz/bpm (%) |" : "| quantity | test error / bound (%) | test SE (%) |");
            sb.AppendLine(anchored ? "|---|---:|---:|---:|" : "|---|---:|---:|");
            foreach (var r in group)
            {
                string line = $"| {r.Label} | {r.Seeds.Format("F2", 100)} | {(double.IsNaN(r.TestSe) ? "—" : (100 * r.TestSe).ToString("F2", inv))} |";
                if (anchored) line += $" {(anchor!.TryGetValue(r.Key, out var a) ? a.ToString("0.##", inv) : "")} |";
                sb.AppendLine(line);
            }
            sb.AppendLine();
        }
        sb.AppendLine("## Per unit").AppendLine();
        sb.AppendLine("| n | seed | jitter | det(Σ)^{1/n} | ln 1/P analytic | ln 1/P MC (± SE, ESS) | voters at 100 % train | large-margin train acc | s (kernel / GP / NN) |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var u in units)
            sb.AppendLine(string.Create(inv, $"| {u.N} | {u.Seed} | {u.Jitter:G3} | {u.NthRootDet:G4} | {u.LnInvPAnalytic:F1} | " +
                $"{u.LnInvPMonteCarlo:F1} ± {u.LnInvPMonteCarloSe:F2}, {u.BoundEffectiveSamples:F0} | {100 * u.NnVotersInterpolating:F0} % | " +
                $"{100 * u.LargeMarginTrainAccuracy:F1} % | {u.KernelSeconds:F1} / {u.GpSeconds:F1} / {u.NnSeconds:F1} |"));
        sb.AppendLine().AppendLine("The Monte-Carlo ln 1/P is an importance-sampling estimate (proposal y ⊙ |ξ| · det(Σ)^{1/2n}); where its effective " +
                                   "sample size (ESS) is small it rests on a few samples and its standard error is not to be trusted. " +
                                   "The analytic ln 1/P is a certified upper bound.");
        sb.AppendLine().AppendLine(string.Create(inv, $"## Certificates from training data (δ = {s.Delta})")).AppendLine();
        sb.AppendLine("Bounds on the test error that hold with probability ≥ 1 − δ over the training sample and use no test label " +
                      "(`BpmCertificates`, docs/part1.md): the PAC-Bayes-kl Gibbs bound, twice it for the vote, and the C-bound from the " +
                      "training Gibbs risk and a disagreement (δ split in two). KL is the analytic ln 1/P (a certified upper bound); the NN rows " +
                      "borrow the GP's KL (valid under the NNGP correspondence only). \"unlabelled\": the disagreement measured on the test " +
                      "inputs, labels unused (semi-supervised). The test-set C-bounds above are measurements, these are certificates.").AppendLine();
        sb.AppendLine("| n | seed | GP Gibbs | GP 2×Gibbs | GP C-bound | GP C-bound, unlabelled | NN Gibbs | NN 2×Gibbs | NN C-bound | NN C-bound, unlabelled |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var u in units)
        {
            var (gp, gpU, nn, nnU) = BpmCertificates.ForUnit(u, s.Delta);
            static string P(double v) => double.IsNaN(v) ? "—" : (100 * v).ToString("F1", CultureInfo.InvariantCulture);
            sb.AppendLine($"| {u.N} | {u.Seed} | {P(gp.GibbsBound)} | {P(gp.TwiceGibbsBound)} | {P(gp.CBound)} | {P(gpU.CBound)} | " +
                          $"{P(nn.GibbsBound)} | {P(nn.TwiceGibbsBound)} | {P(nn.CBound)} | {P(nnU.CBound)} |");
        }
        CurveSection(sb, units, curves ?? units.Select(_ => (VoteCurvePoint[]?)null).ToArray());
        sb.AppendLine().AppendLine("Plots: `test-error-vs-n.png`, `bounds-vs-n.png`, `vote-error-vs-k.png`. Per-unit files (unit.json, predictions.csv, " +
                                   "vote-curve.csv) are under `units/`.");
        return sb.ToString();
    }

    /// <summary>The vote sizes the report tables: 1, 3, 5, 11, 21, 51, 101, 201, 501, 1001, … that a curve has, and each ensemble's whole count.</summary>
    public static int[] TableKs(IEnumerable<VoteCurvePoint> points)
    {
        var have = points.Select(p => p.K).ToHashSet();
        int[] few = [1, 3, 5, 11, 21, 51, 101, 201, 501, 1001, 2001, 5001, 10001, 20001, 50001, 100001];
        var whole = points.GroupBy(p => p.Ensemble).Select(g => g.Max(p => p.K));
        return few.Where(have.Contains).Concat(whole).Distinct().Order().ToArray();
    }

    /// <summary>The mean over <paramref name="curves"/> of the vote error of <paramref name="ensemble"/> at <paramref name="k"/>, and how many curves have it.</summary>
    public static (double Mean, int Count) MeanAt(IEnumerable<VoteCurvePoint[]> curves, string ensemble, int k)
    {
        var values = curves.SelectMany(c => c.Where(p => p.Ensemble == ensemble && p.K == k).Select(p => p.VoteError)).ToArray();
        return (values.Length == 0 ? double.NaN : values.Average(), values.Length);
    }

    private static void CurveSection(StringBuilder sb, IReadOnlyList<BpmUnitResult> units, IReadOnlyList<VoteCurvePoint[]?> curves)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine().AppendLine("## Vote error against the number of voters").AppendLine();
        sb.AppendLine("The majority vote of the first k voters (k odd, so no ties; the last row is the whole ensemble, whose vote is the table's), " +
                      "from the voters' test predictions, nothing retrained (`VoteCurve`; per unit `vote-curve.csv`). NN: the small-margin nets in " +
                      "seed order; NN, fitting only: the first k of those nets that fit every training sign; GP: the first k posterior draws. " +
                      "% test error, mean over the seeds that have the point (their count in brackets where fewer than all).").AppendLine();
        var absent = units.Zip(curves).Where(p => p.Second is null).Select(p => $"n = {p.First.N} seed {p.First.Seed}").ToArray();
        if (absent.Length > 0)
            sb.AppendLine($"**Absent** for {string.Join(", ", absent)}: these units were computed before vote curves existed and did not keep " +
                          "their voters' test predictions, so the curve cannot be recomputed without retraining; run into a new `--out` to get it.").AppendLine();
        foreach (var group in units.Zip(curves).Where(p => p.Second is not null).GroupBy(p => p.First.N).OrderBy(g => g.Key))
        {
            var cs = group.Select(p => p.Second!).ToArray();
            int seeds = cs.Length;
            string Cell(string e, int k)
            {
                var (m, count) = MeanAt(cs, e, k);
                return count == 0 ? "—" : (100 * m).ToString("F2", inv) + (count < seeds ? $" ({count})" : "");
            }
            var ks = TableKs(cs.SelectMany(c => c));
            sb.AppendLine($"### n = {group.Key}").AppendLine();
            sb.AppendLine("| k | NN vote | NN vote, fitting voters only | GP vote (first k draws) |");
            sb.AppendLine("|---:|---:|---:|---:|");
            foreach (int k in ks) sb.AppendLine($"| {k} | {Cell("nn", k)} | {Cell("nn_fit", k)} | {Cell("gp", k)} |");
            int nnAll = cs.Max(c => c.Where(p => p.Ensemble == "nn").Select(p => p.K).DefaultIfEmpty(0).Max());
            int gpAll = cs.Max(c => c.Where(p => p.Ensemble == "gp").Select(p => p.K).DefaultIfEmpty(0).Max());
            double nn = MeanAt(cs, "nn", nnAll).Mean, gpSame = MeanAt(cs, "gp", nnAll).Mean, gp = MeanAt(cs, "gp", gpAll).Mean;
            int fitCount = (int)Math.Round(cs.Average(c => c.Count(p => p.Ensemble == "nn_fit") == 0 ? 0 : c.Where(p => p.Ensemble == "nn_fit").Max(p => p.K)));
            sb.AppendLine().AppendLine(string.Create(inv,
                $"NN vote of all {nnAll} voters − GP vote of all {gpAll} draws: {100 * (nn - gp):+0.00;−0.00;0.00} points; " +
                $"GP vote of its first {nnAll} draws − GP vote of all {gpAll}: {100 * (gpSame - gp):+0.00;−0.00;0.00} points (what voter count alone " +
                $"explains at the GP); NN − GP at {nnAll} voters each: {100 * (nn - gpSame):+0.00;−0.00;0.00} points. " +
                $"Voters fitting every training sign: {fitCount} of {nnAll} (mean over seeds).")).AppendLine();
        }
    }

    private static byte[] CurvePlot(IReadOnlyList<BpmUnitResult> units, IReadOnlyList<VoteCurvePoint[]?> curves)
    {
        var series = new List<Series>();
        var lines = new List<(string, double)>();
        foreach (var group in units.Zip(curves).Where(p => p.Second is not null).GroupBy(p => p.First.N).OrderBy(g => g.Key))
        {
            var cs = group.Select(p => p.Second!).ToArray();
            var nnKs = cs.SelectMany(c => c.Where(p => p.Ensemble == "nn").Select(p => p.K)).Distinct().Order().ToArray();
            series.Add(new Series($"NN vote, n = {group.Key}", nnKs.Select(k => (double)k).ToArray(),
                nnKs.Select(k => 100 * MeanAt(cs, "nn", k).Mean).ToArray(), Pattern: LinePattern.Solid));
            var gpKs = cs.SelectMany(c => c.Where(p => p.Ensemble == "gp" && p.K <= nnKs.LastOrDefault()).Select(p => p.K)).Distinct().Order().ToArray();
            series.Add(new Series($"GP vote of the first k draws, n = {group.Key}", gpKs.Select(k => (double)k).ToArray(),
                gpKs.Select(k => 100 * MeanAt(cs, "gp", k).Mean).ToArray(), Pattern: LinePattern.Dotted));
            int gpAll = cs.Max(c => c.Where(p => p.Ensemble == "gp").Select(p => p.K).DefaultIfEmpty(0).Max());
            if (gpAll > 0) lines.Add(($"GP vote ({gpAll} draws), n = {group.Key}", 100 * MeanAt(cs, "gp", gpAll).Mean));
        }
        return SeriesPlot.Render("Majority vote of the first k voters (solid: NN, dotted: GP draws, dashed: GP vote of all draws)", "voters k (log scale)",
            "% test error", series, logX: true, lines: lines, legend: Alignment.UpperRight);
    }

    private static byte[] Plot(IReadOnlyList<BpmSummaryRow> summary, string[] keys, string title)
    {
        var series = keys.Select(k =>
        {
            var rows = summary.Where(r => r.Key == k).OrderBy(r => r.N).ToArray();
            var pattern = k.Contains("bound") ? LinePattern.Dashed : k.StartsWith("nn") || k == "large_margin" ? LinePattern.Solid : LinePattern.Dotted;
            return new Series(rows.FirstOrDefault()?.Label ?? k, rows.Select(r => (double)r.N).ToArray(),
                rows.Select(r => 100 * r.Seeds.Mean).ToArray(), rows.Select(r => 100 * r.Seeds.HalfWidth).ToArray(), pattern);
        });
        return SeriesPlot.Render(title, "training examples n", "% test error (bounds: % bound)", series, logX: false, yRange: (0, 100));
    }
}
