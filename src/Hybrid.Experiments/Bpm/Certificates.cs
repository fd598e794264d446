namespace Hybrid.Experiments.Bpm;

/// <summary>
/// Certificates on the test error computed from training data only (issue 23 item 2), beside the
/// test-set measurements of <see cref="VoteStatistics"/>. Every bound holds with probability
/// ≥ 1 − δ over the draw of the n training points, for a posterior Q whose KL divergence from the
/// prior is <c>kl</c> (for the GP posterior conditioned on fitting the training signs, KL = ln 1/P).
/// </summary>
/// <remarks>
/// The bounds, exactly as implemented (kl(q‖p) = q ln(q/p) + (1−q) ln((1−q)/(1−p)) is the binary KL):
/// <list type="number">
/// <item>Gibbs (PAC-Bayes-kl, Seeger 2002 / Maurer 2004): with probability ≥ 1 − δ₁,
/// kl(R̂_S(G_Q) ‖ R(G_Q)) ≤ (KL(Q‖P) + ln(2√n/δ₁)) / n, so R(G_Q) ≤ R̄ = kl⁻¹_up(R̂_S, ε_R).</item>
/// <item>Disagreement (Lacasse et al. 2007; Germain et al. 2015, JMLR 16, PAC-Bound 1): the expected
/// disagreement d(Q) of two independent voters is the Gibbs risk of the pair Q² against P², with
/// KL(Q²‖P²) = 2·KL(Q‖P) and no labels used, so with probability ≥ 1 − δ₂ over m points
/// d(Q) ≥ d̲ = kl⁻¹_low(d̂, (2·KL + ln(2√m/δ₂)) / m).</item>
/// <item>C-bound: R(B_Q) ≤ 1 − (1 − 2R̄)² / (1 − 2d̲) when R̄ &lt; ½ (1 otherwise), with δ₁ = δ₂ = δ/2
/// (a union bound, so the whole statement holds with probability ≥ 1 − δ).</item>
/// <item>The factor-two bound R(B_Q) ≤ 2·R(G_Q) ≤ 2R̄ (δ₁ = δ) for contrast.</item>
/// </list>
/// "Training data only" uses the n training inputs for d̂ as well (m = n). When every voter fits the
/// training signs (the GP posterior), R̂_S = d̂ = 0, so d̲ = 0 and the C-bound is 1 − (1 − 2R̄)² =
/// 4R̄(1 − R̄): above the Gibbs bound — the disagreement that makes the vote beat the Gibbs
/// classifier is invisible on points every voter fits. <see cref="From"/> can also take unlabelled
/// inputs (e.g. the test inputs without their labels) for d̂: that is a semi-supervised certificate,
/// labelled as such in the report.
/// </remarks>
public static class BpmCertificates
{
    /// <summary>Binary KL divergence kl(q‖p) in nats (0·ln 0 = 0; +∞ where p ∈ {0, 1} and q ≠ p).</summary>
    public static double BinaryKl(double q, double p)
    {
        if (q < 0 || q > 1 || p < 0 || p > 1 || double.IsNaN(q) || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(q), $"kl({q}‖{p}) needs both in [0, 1].");
        double a = q > 0 ? (p > 0 ? q * Math.Log(q / p) : double.PositiveInfinity) : 0;
        double b = q < 1 ? (p < 1 ? (1 - q) * Math.Log((1 - q) / (1 - p)) : double.PositiveInfinity) : 0;
        return a + b;
    }

    /// <summary>kl⁻¹_up(q, ε) = sup{p ∈ [q, 1] : kl(q‖p) ≤ ε}, by bisection to 1e-12.</summary>
    public static double KlInverseUpper(double q, double epsilon) => Bisect(q, epsilon, upper: true);

    /// <summary>kl⁻¹_low(q, ε) = inf{p ∈ [0, q] : kl(q‖p) ≤ ε}, by bisection to 1e-12.</summary>
    public static double KlInverseLower(double q, double epsilon) => Bisect(q, epsilon, upper: false);

    /// <summary>
    /// The certificates of one <c>bpm</c> unit, KL = its ln 1/P (the analytic upper bound; the
    /// Monte-Carlo estimate is not an upper bound). GP: every posterior draw fits the training signs,
    /// so R̂_S = d̂_train = 0. NN: R̂_S = 1 − mean training accuracy of the voters and d̂_train is taken
    /// as 0 (a conservative lower bound; the unit does not store it); its KL is the GP's only under
    /// the NNGP correspondence (jxbz/bpm's argument), an assumption, not a certificate. The
    /// "unlabelled" pair uses the test inputs' measured disagreement (labels unused) with m = T.
    /// </summary>
    public static (Certificate GpTrain, Certificate GpUnlabelled, Certificate NnTrain, Certificate NnUnlabelled) ForUnit(BpmUnitResult u, double delta)
    {
        double kl = u.LnInvPAnalytic;
        double nnRisk = Math.Clamp(1 - u.NnMeanTrainAccuracy, 0, 1);
        return (From(kl, u.N, 0, 0, u.N, delta), From(kl, u.N, 0, u.GpDisagreement, u.TestPoints, delta),
            From(kl, u.N, nnRisk, 0, u.N, delta), From(kl, u.N, nnRisk, u.NnDisagreement, u.TestPoints, delta));
    }

    private static double Bisect(double q, double epsilon, bool upper)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "the empirical risk must be in [0, 1].");
        if (!(epsilon >= 0) || double.IsNaN(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be >= 0.");
        if (double.IsPositiveInfinity(epsilon)) return upper ? 1 : 0;
        // kl(q‖·) is increasing on [q, 1] and decreasing on [0, q]: keep inside ≤ ε, outside > ε.
        double inside = q, outside = upper ? 1 : 0;
        if (BinaryKl(q, outside) <= epsilon) return outside;
        while (Math.Abs(outside - inside) > 1e-12)
        {
            double mid = 0.5 * (inside + outside);
            if (BinaryKl(q, mid) <= epsilon) inside = mid; else outside = mid;
        }
        return inside; // the side where the inequality holds: a valid (conservative by < 1e-12) inverse
    }

    /// <summary>
    /// The certificates for a posterior with KL(Q‖P) = <paramref name="kl"/>, empirical Gibbs risk
    /// <paramref name="trainGibbsRisk"/> on n training points and empirical disagreement
    /// <paramref name="disagreement"/> measured on <paramref name="disagreementPoints"/> inputs
    /// (n for training data only; labels are not needed for it).
    /// </summary>
    public static Certificate From(double kl, int n, double trainGibbsRisk, double disagreement, int disagreementPoints, double delta)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a certificate needs n >= 1 training points.");
        if (disagreementPoints < 1) throw new ArgumentOutOfRangeException(nameof(disagreementPoints), disagreementPoints, "needs >= 1 point.");
        if (!(kl >= 0) || double.IsNaN(kl)) throw new ArgumentOutOfRangeException(nameof(kl), kl, "KL(Q‖P) must be >= 0.");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1).");
        double epsGibbsAlone = (kl + Math.Log(2 * Math.Sqrt(n) / delta)) / n;
        double epsGibbs = (kl + Math.Log(2 * Math.Sqrt(n) / (delta / 2))) / n;
        double epsDis = (2 * kl + Math.Log(2 * Math.Sqrt(disagreementPoints) / (delta / 2))) / disagreementPoints;
        double gibbsAlone = KlInverseUpper(trainGibbsRisk, epsGibbsAlone);
        double rUp = KlInverseUpper(trainGibbsRisk, epsGibbs);
        double dLow = KlInverseLower(disagreement, epsDis);
        return new Certificate(kl, n, delta, trainGibbsRisk, disagreement, disagreementPoints, epsGibbsAlone, gibbsAlone,
            Math.Min(1, 2 * gibbsAlone), epsGibbs, rUp, epsDis, dLow, Bounds.CBound(rUp, dLow));
    }
}

/// <summary>One set of certificates (every risk a fraction; every ε the right-hand side of its kl inequality).</summary>
/// <param name="Kl">KL(Q‖P) used (nats).</param>
/// <param name="N">Training points.</param>
/// <param name="Delta">Overall confidence δ.</param>
/// <param name="TrainGibbsRisk">R̂_S(G_Q).</param>
/// <param name="Disagreement">d̂ (on <paramref name="DisagreementPoints"/> inputs).</param>
/// <param name="DisagreementPoints">m.</param>
/// <param name="GibbsEpsilon">(KL + ln(2√n/δ))/n.</param>
/// <param name="GibbsBound">kl⁻¹_up(R̂_S, GibbsEpsilon): R(G_Q) with probability ≥ 1 − δ.</param>
/// <param name="TwiceGibbsBound">min(1, 2·GibbsBound): R(B_Q).</param>
/// <param name="CGibbsEpsilon">(KL + ln(4√n/δ))/n (δ/2 for the C-bound's Gibbs part).</param>
/// <param name="CGibbsUpper">R̄.</param>
/// <param name="CDisagreementEpsilon">(2KL + ln(4√m/δ))/m.</param>
/// <param name="CDisagreementLower">d̲.</param>
/// <param name="CBound">1 − (1 − 2R̄)²/(1 − 2d̲) (1 when R̄ ≥ ½): R(B_Q) with probability ≥ 1 − δ.</param>
public sealed record Certificate(double Kl, int N, double Delta, double TrainGibbsRisk, double Disagreement, int DisagreementPoints,
    double GibbsEpsilon, double GibbsBound, double TwiceGibbsBound, double CGibbsEpsilon, double CGibbsUpper,
    double CDisagreementEpsilon, double CDisagreementLower, double CBound);
