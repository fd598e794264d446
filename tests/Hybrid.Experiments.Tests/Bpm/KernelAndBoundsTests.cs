using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Bpm;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>The NNGP kernel against closed forms, the GP quantities and the bounds against hand-computed values.</summary>
public class KernelAndBoundsTests
{
    // Three vectors in d = 2, scaled to norm √2: angles 0, π/2 and 3π/4 from e1.
    private static Tensor Three() => torch.tensor(new double[]
    {
        Math.Sqrt(2), 0,
        0, Math.Sqrt(2),
        -1, 1,
    }, [3, 2]);

    [Test]
    public void ArcCosKernelMatchesTheClosedForm()
    {
        // k1(θ) = (sin θ + (π − θ) cos θ) / π for unit-diagonal inputs at angle θ.
        using var x = Three();
        using var k0 = NngpKernel.Matrix(x, x, 0);
        using var k1 = NngpKernel.Matrix(x, x, 1);
        using var k2 = NngpKernel.Matrix(x, x, 2);
        double Closed(double theta) => (Math.Sin(theta) + (Math.PI - theta) * Math.Cos(theta)) / Math.PI;
        Assert.That(k0[0, 1].item<double>(), Is.EqualTo(0).Within(1e-12));
        Assert.That(k0[0, 2].item<double>(), Is.EqualTo(-Math.Sqrt(0.5)).Within(1e-12));
        Assert.That(k1[0, 1].item<double>(), Is.EqualTo(1 / Math.PI).Within(1e-12), "orthogonal: 1/π");
        Assert.That(k1[0, 2].item<double>(), Is.EqualTo(Closed(3 * Math.PI / 4)).Within(1e-12));
        Assert.That(k1[1, 2].item<double>(), Is.EqualTo(Closed(Math.PI / 4)).Within(1e-12));
        double k1Orth = 1 / Math.PI;
        Assert.That(k2[0, 1].item<double>(), Is.EqualTo(Closed(Math.Acos(k1Orth))).Within(1e-12), "second layer: the map applied to k1");
        for (int i = 0; i < 3; ++i) Assert.That(k2[i, i].item<double>(), Is.EqualTo(1).Within(1e-12), "diagonal stays 1");
        using var diag = NngpKernel.Diagonal(x, 2);
        Assert.That(diag.data<double>().ToArray(), Is.EqualTo(new[] { 1.0, 1.0, 1.0 }).Within(1e-12));
        Assert.That(NngpKernel.Step(-1.0), Is.EqualTo(0).Within(1e-15), "antipodal inputs: ReLU features never overlap");
    }

    [Test]
    public void ArcCosKernelIsTheWideReluSqrt2LayerCovariance()
    {
        // E over w ~ N(0, I/d) of relu(w·x)·√2 · relu(w·x′)·√2 = k1 for ‖x‖ = ‖x′‖ = √d; 100 000 random units (the sd of a diagonal entry is √5/√100000 ≈ 0.007; the tolerance is 5 sd).
        using var x = Three();
        var gen = new torch.Generator(7);
        using var w = torch.randn([100_000, 2], dtype: ScalarType.Float64, generator: gen) / Math.Sqrt(2);
        using var h = torch.nn.functional.relu(x.matmul(w.t())) * Math.Sqrt(2);
        using var empirical = h.matmul(h.t()) / 100_000;
        using var k1 = NngpKernel.Matrix(x, x, 1);
        Assert.That((empirical - k1).abs().max().item<double>(), Is.LessThan(0.035));
    }

    // Σ = [[1, ½, ¼], [½, 1, ½], [¼, ½, 1]], y = (+1, −1, +1). By hand: det Σ = 9/16,
    // Σ⁻¹ = (1/det)·adj = (16/9)·[[3/4, −3/8, 0], [−3/8, 15/16, −3/8], [0, −3/8, 3/4]],
    // tr Σ⁻¹ = (16/9)·(3/4 + 15/16 + 3/4) = 13/3, Σ⁻¹y = (2, −3, 2), yᵀΣ⁻¹y = 7.
    private static (Tensor Sigma, Tensor Y) ThreePoint() =>
        (torch.tensor(new[] { 1, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 1 }, [3, 3]), torch.tensor(new[] { 1.0, -1, 1 }));

    [Test]
    public void GpQuantitiesAndBoundsMatchHandComputedValues()
    {
        var (sigma, y) = ThreePoint();
        using var _s = sigma;
        using var _y = y;
        using var cross = torch.tensor(new[] { 0.5, 0.5, 0.5 }, [1, 3]);
        using var diag = torch.tensor(new[] { 1.0 });
        using var gp = GpPosterior.Fit(sigma, cross, diag, y);
        Assert.That(gp.Jitter, Is.EqualTo(0));
        Assert.That(gp.NthRootDet, Is.EqualTo(Math.Pow(9.0 / 16, 1.0 / 3)).Within(1e-12));
        Assert.That(gp.TraceInverse, Is.EqualTo(13.0 / 3).Within(1e-12));
        Assert.That(gp.YInvY, Is.EqualTo(7.0).Within(1e-12));
        // interpolator at x*: k*ᵀΣ⁻¹y with k* = (½, ½, ½): Σ⁻¹y = (16/9)·(9/8, −27/16, 9/8) = (2, −3, 2) → ½·1 = 0.5.
        Assert.That(gp.InterpolatorMean.item<double>(), Is.EqualTo(0.5).Within(1e-12));
        // posterior variance 1 − k*ᵀΣ⁻¹k* = 1 − ¼·(sum of Σ⁻¹'s entries = (16/9)·(3/4·2 + 15/16 − 4·3/8) = 5/3) = 7/12.
        Assert.That(gp.PosteriorVariance.item<double>(), Is.EqualTo(7.0 / 12).Within(1e-12));

        double c = 3 * (Math.Log(2) - 0.5) + Math.Pow(9.0 / 16, 1.0 / 3) * ((0.5 - 1 / Math.PI) * 13.0 / 3 + 7.0 / Math.PI);
        double analytic = Bounds.AnalyticLnInvP(3, gp.NthRootDet, gp.TraceInverse, gp.YInvY);
        Assert.That(analytic, Is.EqualTo(c).Within(1e-12));
        // 3(ln 2 − ½) = 0.579442; (9/16)^{1/3} = 0.825482; (½ − 1/π)·13/3 = 0.787324; 7/π = 2.228169 → 0.579442 + 0.825482·3.015493 = 3.068676
        Assert.That(analytic, Is.EqualTo(3.068676).Within(1e-6), "the number itself, worked by hand");
        Assert.That(Bounds.Gibbs(analytic, 3, 0.01), Is.EqualTo(1 - Math.Exp(-(c + Math.Log(600)) / 2)).Within(1e-12));
        Assert.That(Bounds.Rademacher(gp.YInvY, 3), Is.EqualTo(4 * Math.Sqrt(7.0 / 3)).Within(1e-12));
        // C-bound with R = 0.2, d = 0.3: 1 − 0.36/0.4 = 0.1; vacuous (1) once R ≥ ½.
        Assert.That(Bounds.CBound(0.2, 0.3), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(Bounds.CBound(0.5, 0.4), Is.EqualTo(1.0));
    }

    [Test]
    public void MonteCarloLnInvPAgreesWithTheExactOrthantProbabilityAndSitsBelowTheAnalyticBound()
    {
        // Independent unit variances: P(sign f = y) = 2^−n exactly, so ln 1/P = n ln 2, and the proposal is exact.
        using var sigma = torch.eye(4, dtype: ScalarType.Float64);
        using var y = torch.tensor(new[] { 1.0, -1, -1, 1 });
        using var cross = torch.zeros(1, 4, dtype: ScalarType.Float64);
        using var diag = torch.ones(1, dtype: ScalarType.Float64);
        using var gp = GpPosterior.Fit(sigma, cross, diag, y);
        var (mc, se, ess) = gp.LnInvPMonteCarlo(4000, seed: 3);
        Assert.That(mc, Is.EqualTo(4 * Math.Log(2)).Within(1e-9), "every importance weight is exactly 2^−n");
        Assert.That(ess, Is.EqualTo(4000).Within(1e-6));
        // correlated case: the estimate is below the analytic upper bound (Jensen), and positive
        var (s3, y3) = ThreePoint();
        using var _s = s3;
        using var _y = y3;
        using var cross3 = torch.zeros(1, 3, dtype: ScalarType.Float64);
        using var gp3 = GpPosterior.Fit(s3, cross3, diag, y3);
        var (mc3, _, _) = gp3.LnInvPMonteCarlo(20_000, seed: 4);
        Assert.That(mc3, Is.GreaterThan(0).And.LessThan(Bounds.AnalyticLnInvP(3, gp3.NthRootDet, gp3.TraceInverse, gp3.YInvY)));
    }

    [Test]
    public void SingularKernelGetsAJitterThatIsReported()
    {
        using var sigma = torch.ones(3, 3, dtype: ScalarType.Float64); // rank one: duplicate inputs
        using var y = torch.tensor(new[] { 1.0, 1, 1 });
        using var cross = torch.ones(1, 3, dtype: ScalarType.Float64);
        using var diag = torch.ones(1, dtype: ScalarType.Float64);
        using var gp = GpPosterior.Fit(sigma, cross, diag, y);
        Assert.That(gp.Jitter, Is.GreaterThan(0).And.LessThan(1e-2));
    }

    [Test]
    public void CBoundIsNeverBelowTheVotesErrorOnSyntheticEnsembles()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 200; ++trial)
        {
            int voters = 1 + 2 * rng.Next(0, 8), points = 50;
            double skill = rng.NextDouble();
            var votes = new double[points];
            var labels = new double[points];
            for (int x = 0; x < points; ++x)
            {
                labels[x] = rng.Next(2) == 0 ? -1 : 1;
                double pointSkill = Math.Clamp(skill + 0.4 * (rng.NextDouble() - 0.5), 0, 1);
                int plus = 0;
                for (int v = 0; v < voters; ++v) plus += (rng.NextDouble() < pointSkill) == (labels[x] > 0) ? 1 : 0;
                votes[x] = (double)plus / voters;
            }
            using var p = torch.tensor(votes);
            using var y = torch.tensor(labels);
            var stats = VoteStatistics.Of(p, y);
            Assert.That(stats.CBound, Is.GreaterThanOrEqualTo(stats.VoteError - 1e-12), $"trial {trial}");
            // the definitions: Gibbs risk is the mean single-voter error
            double gibbs = votes.Select((q, i) => labels[i] > 0 ? 1 - q : q).Average();
            Assert.That(stats.GibbsRisk, Is.EqualTo(gibbs).Within(1e-12));
        }
    }

    [Test]
    public void NormalisedMarginUsesTheTrueMaximumOverWrongClasses()
    {
        // one member, two examples, three classes; Π‖W‖ = 2, ‖x‖ = 5 and 10
        using var outputs = torch.tensor(new[] { 3.0, 1.0, 2.5, 0.0, 4.0, -1.0 }, [1, 2, 3]);
        using var labels = torch.tensor(new long[] { 0, 2 });
        using var inputs = torch.tensor(new float[] { 3, 4, 6, 8 }, [2, 2]);
        using var norms = torch.tensor(new[] { 2.0 });
        using var gamma = MarginFit.NormalisedMargins(outputs, labels, inputs, norms);
        // example 0: f_0 − max(f_1, f_2) = 3 − 2.5 (not 3 − f_0's neighbour 1); example 1: −1 − 4 (misclassified, negative)
        Assert.That(gamma.data<double>().ToArray(), Is.EqualTo(new[] { 0.5 / 10, -5.0 / 20 }).Within(1e-12));
        // binary (one output): y·f / (Π‖W‖·‖x‖) with y = ±1 from class 1/0
        using var binary = torch.tensor(new[] { 2.0, 2.0 }, [1, 2, 1]);
        using var classes = torch.tensor(new long[] { 1, 0 });
        using var gammaB = MarginFit.NormalisedMargins(binary, classes, inputs, norms);
        Assert.That(gammaB.data<double>().ToArray(), Is.EqualTo(new[] { 2.0 / 10, -2.0 / 20 }).Within(1e-12));
    }
}
