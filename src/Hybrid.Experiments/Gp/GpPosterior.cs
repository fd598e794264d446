using Hybrid.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Gp;

/// <summary>
/// The Gaussian process of the NNGP kernel conditioned on a binary training set, in float64 with
/// TorchSharp's linear algebra: Σ = L·Lᵀ (Cholesky; when Σ is numerically singular a jitter ε·I
/// is added, starting at 1e-10 times the mean diagonal and growing tenfold, and reported as
/// <see cref="Jitter"/>), the kernel interpolator's mean Σ_ab·Σ⁻¹·y, the posterior variance
/// k(x, x) − Σ_ab·Σ⁻¹·Σ_ba at every test point, and the quantities of the PAC-Bayes bound
/// (det(Σ)^{1/n}, tr Σ⁻¹, yᵀΣ⁻¹y).
/// </summary>
/// <remarks>
/// The n×n inverse is never formed: tr Σ⁻¹ = ‖L⁻¹‖²_F and yᵀΣ⁻¹y = ‖L⁻¹y‖² come from one
/// triangular solve; B = Σ_ab·Σ⁻¹ from <c>cholesky_solve</c>. Only the test points' diagonal
/// k(x, x) is used, never the T×T test kernel.
/// </remarks>
public sealed class GpPosterior : IDisposable
{
    private GpPosterior(Tensor l, Tensor b, Tensor mean, Tensor variance, Tensor y, double jitter)
    {
        L = l;
        B = b;
        InterpolatorMean = mean;
        PosteriorVariance = variance;
        Y = y;
        Jitter = jitter;
        int n = (int)y.shape[0];
        using var scope = torch.NewDisposeScope();
        LogDet = 2 * l.diagonal().log().sum().item<double>();
        NthRootDet = Math.Exp(LogDet / n);
        var lInv = torch.linalg.solve_triangular(l, torch.eye(n, dtype: ScalarType.Float64), upper: false);
        TraceInverse = lInv.square().sum().item<double>();
        YInvY = lInv.matmul(y).square().sum().item<double>();
    }

    /// <summary>Cholesky factor of Σ (+ jitter·I): [n, n], lower.</summary>
    public Tensor L { get; }

    /// <summary>Σ_ab·Σ⁻¹: [T, n]; the posterior mean at the test points is B·f_train.</summary>
    public Tensor B { get; }

    /// <summary>The kernel interpolator's output Σ_ab·Σ⁻¹·y at every test point: [T].</summary>
    public Tensor InterpolatorMean { get; }

    /// <summary>k(x, x) − Σ_ab·Σ⁻¹·Σ_ba at every test point (clamped at 0): [T].</summary>
    public Tensor PosteriorVariance { get; }

    /// <summary>The training signs ±1: [n].</summary>
    public Tensor Y { get; }

    /// <summary>The jitter added to Σ's diagonal (0 when the Cholesky factorisation succeeded as is).</summary>
    public double Jitter { get; }

    /// <summary>ln det Σ.</summary>
    public double LogDet { get; }

    /// <summary>det(Σ)^{1/n}.</summary>
    public double NthRootDet { get; }

    /// <summary>tr Σ⁻¹.</summary>
    public double TraceInverse { get; }

    /// <summary>yᵀΣ⁻¹y.</summary>
    public double YInvY { get; }

    /// <summary>Training examples n.</summary>
    public int N => (int)Y.shape[0];

    /// <summary>
    /// Conditions the GP on training signs <paramref name="y"/> [n] (±1) given Σ = <paramref name="kTrain"/>
    /// [n, n], the cross kernel <paramref name="kCross"/> [T, n] and the test points' k(x, x)
    /// <paramref name="kTestDiagonal"/> [T] (all float64).
    /// </summary>
    /// <exception cref="InvalidOperationException">Σ is not positive definite even with a jitter of 1 % of its mean diagonal.</exception>
    public static GpPosterior Fit(Tensor kTrain, Tensor kCross, Tensor kTestDiagonal, Tensor y)
    {
        int n = (int)kTrain.shape[0];
        if (kTrain.dim() != 2 || kTrain.shape[1] != n || kCross.dim() != 2 || kCross.shape[1] != n || y.numel() != n
            || kTestDiagonal.numel() != kCross.shape[0])
            throw new ArgumentException("kernel shapes must be [n, n], [T, n], [T] and signs [n].");
        using var scope = torch.NewDisposeScope();
        var sigma = kTrain.to_type(ScalarType.Float64);
        var y64 = y.to_type(ScalarType.Float64).reshape(n);
        double meanDiag = sigma.diagonal().mean().item<double>(), jitter = 0;
        Tensor l;
        while (true)
        {
            using Scalar j = jitter.ToScalar(); // lives through the call (TorchScalars)
            var (factor, info) = torch.linalg.cholesky_ex(jitter == 0 ? sigma : sigma.Plus(j * torch.eye(n, dtype: ScalarType.Float64)));
            if (info.item<int>() == 0) { l = factor; break; }
            jitter = jitter == 0 ? 1e-10 * meanDiag : jitter * 10;
            if (jitter > 1e-2 * meanDiag)
                throw new InvalidOperationException(
                    $"the {n}×{n} kernel matrix is not positive definite even with a jitter of {jitter / 10:G3} (duplicate training inputs?).");
        }
        var b = kCross.to_type(ScalarType.Float64).t().cholesky_solve(l).t().contiguous(); // [T, n] = (Σ⁻¹·Σ_ba)ᵀ
        var mean = b.matmul(y64);
        var variance = (kTestDiagonal.to_type(ScalarType.Float64) - (b * kCross.to_type(ScalarType.Float64)).sum(1)).clamp_min(TorchScalars.Zero);
        return new GpPosterior(l.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(),
            variance.MoveToOuterDisposeScope(), y64.clone().MoveToOuterDisposeScope(), jitter);
    }

    /// <summary>
    /// The scale s = det(Σ)^{1/(2n)} of the bound's proposal distribution and of jxbz/bpm's
    /// small-margin targets y ⊙ |ξ| · s.
    /// </summary>
    public double TargetScale => Math.Sqrt(NthRootDet);

    /// <summary>
    /// Draws from the posterior used for the GP voters (jxbz/bpm): training function values
    /// f_b = y ⊙ |ξ| · s (ξ ~ N(0, I_n), one per voter) — the proposal whose Jensen gap gives the
    /// analytic bound — then each test value from the exact GP conditional
    /// f(x) | f_b ~ N(B·f_b, σ²(x)). Test points are drawn independently given f_b (the marginals;
    /// every statistic taken from the draws — vote, Gibbs risk, disagreement — depends only on
    /// them). The means B·f_b are float64 products; the test-point noise and the sign are drawn in
    /// float32 (a Monte-Carlo sign needs no more). Voters are drawn in chunks from one seeded
    /// generator, so the result is a pure function of the seed.
    /// </summary>
    /// <returns>Per test point [T]: the fraction of voters predicting +1 (float64).</returns>
    public Tensor Draw(int voters, long seed, int chunk = 256)
    {
        var plus = Draw(voters, seed, [], out var none, chunk);
        none.Dispose();
        return plus;
    }

    /// <summary>
    /// As <see cref="Draw(int, long, int)"/> (the same draws, the same result), and also the running counts of +1 votes
    /// after the first k draws for every k of <paramref name="ks"/> (ascending, each in 1…voters): <paramref name="countsAt"/>
    /// [ks.Count, T] int64, for the vote error against the number of voters (<c>VoteCurve</c>).
    /// </summary>
    public Tensor Draw(int voters, long seed, IReadOnlyList<int> ks, out Tensor countsAt, int chunk = 256)
    {
        if (voters < 1) throw new ArgumentException($"voters {voters} must be >= 1.", nameof(voters));
        for (int i = 0; i < ks.Count; ++i)
            if (ks[i] < 1 || ks[i] > voters || (i > 0 && ks[i] <= ks[i - 1]))
                throw new ArgumentException($"ks must ascend within 1…{voters}; got {string.Join(",", ks)}.", nameof(ks));
        var generator = new torch.Generator(unchecked((ulong)seed));
        long t = B.shape[0];
        var plus = torch.zeros(t, dtype: ScalarType.Float64);
        var at = new List<Tensor>();
        int next = 0;
        using var sd = PosteriorVariance.sqrt().to_type(ScalarType.Float32).unsqueeze(1);
        using Scalar targetScale = TargetScale.ToScalar(), count = voters.ToScalar(); // live through every call (TorchScalars)
        using var scaledY = Y.unsqueeze(1) * targetScale;
        for (int done = 0; done < voters; done += chunk)
        {
            using var scope = torch.NewDisposeScope();
            int c = Math.Min(chunk, voters - done);
            var fTrain = torch.randn([N, c], dtype: ScalarType.Float64, generator: generator).abs_().mul_(scaledY);
            var mu = B.matmul(fTrain).to_type(ScalarType.Float32); // [T, c]
            var f = torch.randn([t, c], generator: generator).mul_(sd).AddInPlace(mu);
            var votes = f.gt(TorchScalars.Zero);
            if (next < ks.Count && ks[next] <= done + c)
            {
                var running = votes.to_type(ScalarType.Int64).cumsum(1).Plus(plus.to_type(ScalarType.Int64).unsqueeze(1)); // [T, c]
                for (; next < ks.Count && ks[next] <= done + c; ++next)
                    at.Add(running.select(1, ks[next] - done - 1).MoveToOuterDisposeScope());
            }
            plus.AddInPlace(votes.sum([1], type: ScalarType.Float64));
        }
        plus.div_(count);
        countsAt = at.Count == 0 ? torch.zeros([0, t], dtype: ScalarType.Int64) : torch.stack(at);
        foreach (var a in at) a.Dispose();
        return plus;
    }

    /// <summary>
    /// The first two moments of that posterior's predictive at every test point, exactly:
    /// mean s·√(2/π)·(B·y)(x) and variance σ²(x) + s²·(1 − 2/π)·Σ_i B_xi² (the |ξ_i| are
    /// independent with mean √(2/π) and variance 1 − 2/π).
    /// </summary>
    public (Tensor Mean, Tensor Sd) PredictiveMoments()
    {
        using var scope = torch.NewDisposeScope();
        double s = TargetScale;
        using Scalar meanScale = (s * Math.Sqrt(2 / Math.PI)).ToScalar(), varianceScale = (s * s * (1 - 2 / Math.PI)).ToScalar(); // (TorchScalars)
        var mean = InterpolatorMean * meanScale;
        var variance = PosteriorVariance.Plus(B.square().sum(1) * varianceScale);
        return (mean.MoveToOuterDisposeScope(), variance.sqrt().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// A Monte-Carlo estimate of ln 1/P, P = Prob_{f ~ N(0, Σ)}[sign f = y], by importance
    /// sampling from the same proposal q: f = y ⊙ |ξ| · s. With s² = det(Σ)^{1/n} the weight is
    /// ln w = −n ln 2 − ½(fᵀΣ⁻¹f − ‖ξ‖²), and ln P ≈ logsumexp(ln w) − ln M. Jensen's inequality
    /// makes the expectation of this estimate of ln 1/P an upper bound on the true value (and
    /// E_q[−ln w] is exactly the analytic bound), so it is conservative on average; it is still an
    /// estimate, with a delta-method standard error and the weights' effective sample size.
    /// </summary>
    public (double LnInvP, double StandardError, double EffectiveSamples) LnInvPMonteCarlo(int samples, long seed, int chunk = 1024)
    {
        if (samples < 2) throw new ArgumentException($"samples {samples} must be >= 2.", nameof(samples));
        var generator = new torch.Generator(unchecked((ulong)seed));
        var logW = new List<Tensor>();
        double s = TargetScale;
        // every Scalar lives through the loop (TorchScalars: implicit ones can be freed mid-call)
        using Scalar sS = s.ToScalar(), half = 0.5.ToScalar(), offset = (-N * Math.Log(2)).ToScalar();
        for (int done = 0; done < samples; done += chunk)
        {
            using var scope = torch.NewDisposeScope();
            int c = Math.Min(chunk, samples - done);
            var xi = torch.randn([N, c], dtype: ScalarType.Float64, generator: generator);
            var f = xi.abs() * (Y.unsqueeze(1) * sS);
            var z = torch.linalg.solve_triangular(L, f, upper: false); // ‖L⁻¹f‖² = fᵀΣ⁻¹f
            var lw = offset.Minus(half * (z.square().sum([0]) - xi.square().sum([0])));
            logW.Add(lw.MoveToOuterDisposeScope());
        }
        using var all = torch.cat(logW);
        foreach (var w in logW) w.Dispose();
        double max = all.max().item<double>();
        using Scalar maxS = max.ToScalar(); // lives through the call (TorchScalars)
        using var scaled = (all - maxS).exp();
        double mean = scaled.mean().item<double>(), sq = scaled.square().mean().item<double>();
        double lnP = max + Math.Log(mean);
        double relVar = Math.Max(0, sq / (mean * mean) - 1); // var(w)/E[w]², per sample
        double se = Math.Sqrt(relVar / samples);            // delta method: sd(ln mean w) ≈ sd(mean w)/mean w
        double ess = samples / (1 + relVar);
        return (-lnP, se, ess);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        L.Dispose();
        B.Dispose();
        InterpolatorMean.Dispose();
        PosteriorVariance.Dispose();
        Y.Dispose();
    }
}
