namespace Hybrid.Experiments.Uncertainty;

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Low">Lower edge of the confidence bin.</param>
/// <param name="High">Upper edge.</param>
/// <param name="Count">Test points in the bin.</param>
/// <param name="Confidence">Their mean confidence (NaN when empty).</param>
/// <param name="Accuracy">Their accuracy (NaN when empty).</param>
public sealed record ReliabilityBin(double Low, double High, int Count, double Confidence, double Accuracy);

/// <summary>
/// How good a confidence score is, from per-point confidences and whether each prediction was
/// right: selective accuracy (accuracy on the most confident fraction of points), calibration
/// (expected calibration error, reliability bins) and Spearman rank correlation between two
/// scores. Ties are handled exactly: a group of equally confident points enters a selective set
/// by its average accuracy (the expectation over random tie-breaking), and Spearman uses mid-ranks.
/// </summary>
public static class ConfidenceMetrics
{
    /// <summary>
    /// Accuracy on the most confident <paramref name="coverage"/> fraction of the points (0 &lt; coverage ≤ 1).
    /// </summary>
    public static double SelectiveAccuracy(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, double coverage)
    {
        Check(confidence, correct);
        if (!(coverage > 0 && coverage <= 1)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "coverage must be in (0, 1].");
        double want = coverage * confidence.Count, taken = 0, right = 0;
        foreach (var group in confidence.Select((c, i) => (c, i)).GroupBy(p => p.c).OrderByDescending(g => g.Key))
        {
            int size = group.Count();
            double groupRight = group.Count(p => correct[p.i]);
            double take = Math.Min(size, want - taken);
            right += groupRight * take / size;
            taken += take;
            if (taken >= want - 1e-9) break;
        }
        return right / taken;
    }

    /// <summary>
    /// Reliability bins of width 1/(2·<paramref name="bins"/>) over [½, 1] (a binary classifier's
    /// confidence in its own prediction is at least ½); the last bin includes 1.
    /// </summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, int bins)
    {
        Check(confidence, correct);
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "bins must be >= 1.");
        var result = new List<ReliabilityBin>();
        for (int b = 0; b < bins; ++b)
        {
            double low = 0.5 + 0.5 * b / bins, high = 0.5 + 0.5 * (b + 1) / bins;
            var members = Enumerable.Range(0, confidence.Count)
                .Where(i => confidence[i] >= low && (confidence[i] < high || (b == bins - 1 && confidence[i] <= high))).ToArray();
            result.Add(new ReliabilityBin(low, high, members.Length,
                members.Length > 0 ? members.Average(i => confidence[i]) : double.NaN,
                members.Length > 0 ? members.Average(i => correct[i] ? 1.0 : 0.0) : double.NaN));
        }
        return result;
    }

    /// <summary>Expected calibration error Σ_b (n_b / N)·|accuracy_b − confidence_b| over <see cref="Reliability"/>'s bins.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, int bins)
    {
        var r = Reliability(confidence, correct, bins);
        return r.Where(b => b.Count > 0).Sum(b => b.Count * Math.Abs(b.Accuracy - b.Confidence)) / confidence.Count;
    }

    /// <summary>Spearman's rank correlation (Pearson correlation of mid-ranks); NaN when either score is constant.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"lengths differ: {a.Count} and {b.Count}.");
        var ra = MidRanks(a);
        var rb = MidRanks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; ++i)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }

    /// <summary>Ranks 1…N, tied values sharing the mean of their ranks.</summary>
    public static double[] MidRanks(IReadOnlyList<double> x)
    {
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && x[order[end + 1]] == x[order[start]]) ++end;
            double mid = (start + end) / 2.0 + 1;
            for (int j = start; j <= end; ++j) ranks[order[j]] = mid;
            start = end + 1;
        }
        return ranks;
    }

    private static void Check(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct)
    {
        if (confidence.Count != correct.Count) throw new ArgumentException($"lengths differ: {confidence.Count} confidences, {correct.Count} outcomes.");
        if (confidence.Count == 0) throw new ArgumentException("no points.");
    }
}
