namespace Hybrid.Experiments.Bpm;

/// <summary>
/// The generalisation bounds of Part I as pure functions of the numbers they need
/// (SCIENCE.md "Part I" and "Experiment protocols"; jxbz/bpm for the first three).
/// </summary>
public static class Bounds
{
    /// <summary>
    /// The PAC-Bayes bound on the GP Gibbs classifier's error (posterior = prior conditioned on
    /// fitting the training signs, so KL = ln 1/P): with probability 1 − δ over the training set,
    /// err ≤ 1 − exp(−(ln(1/P) + ln(2n/δ)) / (n − 1)).
    /// </summary>
    public static double Gibbs(double lnInvP, int n, double delta)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "the Gibbs bound needs n >= 2.");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1).");
        return 1 - Math.Exp(-(lnInvP + Math.Log(2.0 * n / delta)) / (n - 1));
    }

    /// <summary>
    /// The analytic upper bound on ln 1/P of jxbz/bpm:
    /// n(ln 2 − ½) + det(Σ)^{1/n}·[(½ − 1/π)·tr Σ⁻¹ + (1/π)·yᵀΣ⁻¹y]
    /// (Jensen's inequality on the importance sampler with proposal y ⊙ |ξ| · det(Σ)^{1/(2n)}).
    /// </summary>
    public static double AnalyticLnInvP(int n, double nthRootDet, double traceInverse, double yInvY) =>
        n * (Math.Log(2) - 0.5) + nthRootDet * ((0.5 - 1 / Math.PI) * traceInverse + yInvY / Math.PI);

    /// <summary>The Rademacher bound of jxbz/bpm, 4·√(yᵀΣ⁻¹y / n) (vacuous in practice; shown for contrast).</summary>
    public static double Rademacher(double yInvY, int n) => 4 * Math.Sqrt(yInvY / n);

    /// <summary>
    /// The C-bound (Lacasse, Laviolette, Marchand, Germain &amp; Usunier, NIPS 2006) on the error of
    /// the majority vote of a distribution Q of voters, from its Gibbs risk R and the expected
    /// disagreement d of two independent voters: 1 − (1 − 2R)² / (1 − 2d), valid when R &lt; ½
    /// (then the vote's margin has positive mean and Cantelli–Chebyshev applies); 1 otherwise.
    /// Ties count as errors of the vote.
    /// </summary>
    public static double CBound(double gibbsRisk, double disagreement)
    {
        if (!(gibbsRisk < 0.5) || !(disagreement < 0.5)) return 1.0;
        double m = 1 - 2 * gibbsRisk;
        return Math.Clamp(1 - m * m / (1 - 2 * disagreement), 0.0, 1.0);
    }
}
