namespace Hybrid.Experiments.Statistics;

/// <summary>
/// A quantity measured over K seeds: mean, sample standard deviation and a two-sided 95 %
/// confidence interval of the mean, mean ± t(0.975, K−1)·sd/√K (Student's t; K = 1 has no
/// interval: its half-width is NaN and nothing is called significant). Compared results in
/// Hybrid carry this; a difference is called significant only when the two intervals are
/// disjoint (conservative: disjoint 95 % intervals imply p &lt; 0.01 for equal variances).
/// </summary>
/// <param name="Mean">Mean over seeds.</param>
/// <param name="Sd">Sample standard deviation (n − 1); 0 for one seed.</param>
/// <param name="HalfWidth">Half-width of the 95 % interval of the mean; NaN for one seed.</param>
/// <param name="Count">Seeds (finite values) that entered.</param>
public sealed record SeedSummary(double Mean, double Sd, double HalfWidth, int Count)
{
    /// <summary>Lower end of the interval (the mean itself for one seed).</summary>
    public double Low => Count > 1 ? Mean - HalfWidth : Mean;
    /// <summary>Upper end of the interval (the mean itself for one seed).</summary>
    public double High => Count > 1 ? Mean + HalfWidth : Mean;

    /// <summary>Summarises the finite values of <paramref name="values"/> (NaN/inf — a diverged seed — are left out
    /// and lower <see cref="Count"/>).</summary>
    public static SeedSummary Of(IEnumerable<double> values)
    {
        var x = values.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return new SeedSummary(double.NaN, double.NaN, double.NaN, 0);
        double mean = x.Average();
        if (x.Length == 1) return new SeedSummary(mean, 0, double.NaN, 1);
        // the same value at every seed (a model size, a deterministic energy) has no spread: the rounding of the mean
        // must not invent one (the pareto's "the very same value" rule reads an exact 0)
        if (x.All(v => v == x[0])) return new SeedSummary(x[0], 0, 0, x.Length);
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        return new SeedSummary(mean, sd, StudentT975(x.Length - 1) * sd / Math.Sqrt(x.Length), x.Length);
    }

    /// <summary>Whether the two intervals are disjoint (both need two or more seeds).</summary>
    public bool DiffersFrom(SeedSummary other) =>
        Count > 1 && other.Count > 1 && (High < other.Low || other.High < Low);

    /// <summary>"mean ± half-width" with <paramref name="format"/> (or just the mean for one seed), scaled by <paramref name="scale"/>.</summary>
    public string Format(string format = "F2", double scale = 1) => Count > 1
        ? $"{(Mean * scale).ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ± {(HalfWidth * scale).ToString(format, System.Globalization.CultureInfo.InvariantCulture)}"
        : (Mean * scale).ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The 0.975 quantile of Student's t with <paramref name="df"/> degrees of freedom (table to 30, then
    /// the Cornish–Fisher expansion, within 1e-3 of the exact value).</summary>
    public static double StudentT975(int df)
    {
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df), df, "degrees of freedom must be >= 1.");
        double[] table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
            2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
        if (df <= table.Length) return table[df - 1];
        const double z = 1.959963984540054;
        double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
        return z + (z3 + z) / (4.0 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * df * df)
               + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384.0 * df * df * df);
    }
}
