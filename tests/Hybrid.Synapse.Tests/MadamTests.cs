using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The float32 Madam step on every backend against hand-worked steps (the shared polynomial e^x is
/// within ~2 ulp of the true value, so one step is within 4e-7 relative, ten within 4e-6), and every
/// backend bit-identical to the managed twin: they all run the same element maths.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class MadamTests(ISynapseBackend backend)
{
    internal const double OneStepTolerance = 4e-7, TenStepTolerance = 4e-6;

    [Test]
    public void HandWorkedFirstStep()
    {
        // Step 1 from v = 0: ĝ = sign(g), so w ← w·exp(−η·sign(g)·sign(w)), then clamp at w_max.
        float[] w = [0.5f, -0.5f, 0f, 1.99f, -0.25f];
        float[] g = [0.2f, 0.2f, 3f, -1f, -4f];
        var v = new float[5];
        var stats = backend.MadamStep(new MadamSettings(2f, 1), w, g, v);
        Assert.That(w[0], Is.EqualTo(0.5 * Math.Exp(-0.01)).Within(OneStepTolerance * 0.5));
        Assert.That(w[1], Is.EqualTo(-0.5 * Math.Exp(0.01)).Within(OneStepTolerance * 0.5 * Math.Exp(0.01)));
        Assert.That(w[2], Is.EqualTo(0f), "zero stays zero");
        Assert.That(w[3], Is.EqualTo(2f), "1.99·e^0.01 = 2.01 clamps at w_max = 2");
        Assert.That(w[4], Is.EqualTo(-0.25 * Math.Exp(-0.01)).Within(OneStepTolerance * 0.25));
        Assert.That(stats, Is.EqualTo(new StepStats(5, 4, 0)));
    }

    [Test]
    public void HandWorkedSecondStep()
    {
        // v1 = (1−β2)·1², v2 = β2·v1 + (1−β2)·0.5², bias correction 1 − β2², ĝ2 = 0.5/sqrt(v2/bc).
        float[] w = [1f];
        var v = new float[1];
        backend.MadamStep(new MadamSettings(10f, 1), w, [1f], v);
        backend.MadamStep(new MadamSettings(10f, 2), w, [0.5f], v);
        double b2 = 0.999f, v2 = b2 * (1 - b2) + (1 - b2) * 0.25, bc = 1 - b2 * b2;
        double want = Math.Exp(-0.01) * Math.Exp(-0.01 * 0.5 / Math.Sqrt(v2 / bc));
        Assert.That(w[0], Is.EqualTo(want).Within(2 * OneStepTolerance * want));
        Assert.That(v[0], Is.EqualTo(v2).Within(1e-6 * v2));
    }

    [Test]
    public void GradientBoundClampsTheNormalisedGradient()
    {
        // v ≈ 0 history and a unit gradient: ĝ = 1/sqrt((1−β2)·1/bc) at step 10^6 ≈ 31.6 → 10.
        float[] w = [1f];
        float[] v = [1e-12f];
        backend.MadamStep(new MadamSettings(100f, 1_000_000), w, [1f], v);
        Assert.That(w[0], Is.EqualTo(Math.Exp(-0.1)).Within(OneStepTolerance * Math.Exp(-0.1)));
    }

    [Test]
    public void InvariantsHoldOverManySteps()
    {
        const int n = 10_000;
        var w = TestData.Normal(n, 1, 0.1f);
        for (int i = 0; i < n; i += 97) w[i] = 0f;
        var sign0 = w.Select(MathF.Sign).ToArray();
        float wMax = (float)(3 * backend.Rms(w));
        var v = new float[n];
        for (int t = 1; t <= 20; ++t)
            backend.MadamStep(new MadamSettings(wMax, t, Lr: 0.1f), w, TestData.Normal(n, 100 + t), v);
        Assert.That(w.Select(MathF.Sign), Is.EqualTo(sign0), "signs frozen, zeros stay zero");
        Assert.That(w.Max(MathF.Abs), Is.LessThanOrEqualTo(wMax), "clamped at p_scale·RMS(w0)");
    }

    [Test]
    public void RmsIsTheSameDoubleOnEveryBackend()
    {
        var x = TestData.Normal(1 << 20, 2);
        double want = ManagedBackend.Instance.Rms(x);
        Assert.That(backend.Rms(x), Is.EqualTo(want), "blocked double sum: identical, not close");
        Assert.That(backend.Rms([3f, -4f, 0f, 0f]), Is.EqualTo(2.5));
    }
}

/// <summary>The float Madam step of every candidate backend against the managed twin, within
/// the tolerance stated on <see cref="MadamTests"/>.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.Candidates))]
public class MadamCrossCheckTests(ISynapseBackend backend)
{
    [Test]
    public void IsBitIdenticalToTheManagedTwin([Values(0, 1, 31, 300, 70_001)] int n)
    {
        var w0 = TestData.Normal(n, 5, 0.2f);
        var (wr, vr) = ((float[])w0.Clone(), new float[n]);
        var (wn, vn) = ((float[])w0.Clone(), new float[n]);
        float wMax = n == 0 ? 1f : (float)(3 * ManagedBackend.Instance.Rms(w0));
        for (int t = 1; t <= 10; ++t)
        {
            var g = TestData.Gradient(n, t);
            var s = new MadamSettings(wMax, t, Lr: 0.05f);
            ManagedBackend.Instance.MadamStep(s, wr, g, vr);
            backend.MadamStep(s, wn, g, vn);
            TestData.AssertIdentical<float>(wr, wn, $"w after step {t}");
            TestData.AssertIdentical<float>(vr, vn, $"v after step {t}");
        }
    }
}
