using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Synapse.Tests;

/// <summary>The LNS Madam step's behaviour on every backend: hand-worked steps, frozen sign
/// and zero, clamping, and unbiased stochastic rounding.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class LnsStepTests(ISynapseBackend backend)
{
    [Test]
    public void HandWorkedFirstStep()
    {
        // Step 1 from v = 0: ĝ = sign(g); dk = γ·η·ĝ·sign(w)/ln 2 = 8·0.1/0.6931 = 1.154 → nearest 1.
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest);
        byte[] codes = [10, 128 | 10, 0, 126, 127, 128];
        float[] g = [0.3f, 0.3f, -2f, 0.5f, 1f, 0.7f];
        var v = new float[6];
        var stats = backend.LnsMadamStep(s, codes, g, v);
        Assert.That(codes, Is.EqualTo(new byte[] { 11, 128 | 9, 0, 126, 127, 128 }));
        Assert.That(stats, Is.EqualTo(new StepStats(6, 2, 0)));
        Assert.That(v[0], Is.EqualTo((1f - 0.999f) * (0.3f * 0.3f)));
    }

    [Test]
    public void SignNeverChangesAndZeroNeverMoves([Values] RoundingMode rounding)
    {
        var f = new LnsFormat(6, 4f, 1f);
        const int n = 5000;
        var codes = Support.TestData.Codes<byte>(n, 6, 5);
        var before = (byte[])codes.Clone();
        var v = new float[n];
        for (int t = 1; t <= 30; ++t)
            backend.LnsMadamStep(new LnsMadamSettings(f, t, 0.5f, Rounding: rounding, Seed: 1),
                codes, Support.TestData.Normal(n, t), v);
        for (int i = 0; i < n; ++i)
        {
            Assert.That(codes[i] & 32, Is.EqualTo(before[i] & 32), $"sign of {i}");
            bool wasZero = (before[i] & 31) == 31;
            Assert.That((codes[i] & 31) == 31, Is.EqualTo(wasZero), $"zero-ness of {i}");
        }
        Assert.That(codes.Zip(before).Count(p => p.First != p.Second), Is.GreaterThan(n / 2), "codes did move");
    }

    [Test]
    public void StochasticRoundingIsUnbiased([ValueSource(typeof(LnsMadamSettings), nameof(LnsMadamSettings.RandomBitsChoices))] int r)
    {
        // dk spread over [0, 2.6) (per-tensor moment: ĝ_i = g_i / sqrt(mean g²)), so the r-bit grid's
        // rounding of each fraction averages out: mean(dk' − dk) is 0 within 5 sd over 200 000 synapses,
        // sd = sqrt(Σ p(1−p)) / n with p the fraction of dk.
        var f = new LnsFormat(16, 512f, 1f);
        const int n = 200_000;
        var codes = Enumerable.Repeat((ushort)20000, n).ToArray();
        var g = Enumerable.Range(0, n).Select(i => (float)(i * 0.618033988749895 % 1.0)).ToArray();
        var s = new LnsMadamSettings(f, 1, 0.002f, Rounding: RoundingMode.Stochastic, Seed: 77, Moment: MomentMode.PerTensor,
            RandomBits: r);
        backend.LnsMadamStep(s, codes, g, new float[1]);
        double d = Math.Sqrt(g.Sum(x => (double)x * x) / n), scale = 512 * 0.002 / Math.Log(2);
        double diff = 0, variance = 0;
        for (int i = 0; i < n; ++i)
        {
            double dk = scale * g[i] / d, p = dk - Math.Floor(dk);
            diff += codes[i] - 20000.0 - dk;
            variance += p * (1 - p);
        }
        Assert.That(diff / n, Is.EqualTo(0).Within(5 * Math.Sqrt(variance) / n), $"r = {r}");
    }

    [Test]
    public void FixedStepIsRoundedOnTheRandomBitsGrid([ValueSource(typeof(LnsMadamSettings), nameof(LnsMadamSettings.RandomBitsChoices))] int r)
    {
        // One dk = 512·(0.01/64)/ln 2 = 0.1154 for all: each moves with probability P(u ≥ 1 − dk), which for
        // u = (s + ½)·2^−r is dk rounded to the nearest multiple of 2^−r (r = 32: 24-bit uniforms), within
        // 2^−(r+1) of dk; the mean over 200 000 is that probability within 5 sd.
        var f = new LnsFormat(16, 512f, 1f);
        const int n = 200_000;
        var codes = Enumerable.Repeat((ushort)1000, n).ToArray();
        var g = Enumerable.Repeat(1f, n).ToArray();
        var s = new LnsMadamSettings(f, 1, 0.01f / 64f, Rounding: RoundingMode.Stochastic, Seed: 77, RandomBits: r);
        backend.LnsMadamStep(s, codes, g, new float[n]);
        double dk = 512 * (0.01 / 64) / Math.Log(2);
        int resolution = Math.Min(r, 24);
        double p = Math.Floor(dk * (1 << resolution) + 0.5) / (1 << resolution), sd = Math.Sqrt(p * (1 - p) / n);
        Assert.That(codes.Average(c => c - 1000.0), Is.EqualTo(p).Within(5 * sd), $"r = {r}");
        Assert.That(codes.All(c => c is 1000 or 1001), Is.True);
    }

    [Test]
    public void NearestRoundingStallsSmallSteps()
    {
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.01f, Rounding: RoundingMode.Nearest);
        byte[] codes = [40, 168];
        backend.LnsMadamStep(s, codes, [1f, -1f], new float[2]);
        Assert.That(codes, Is.EqualTo(new byte[] { 40, 168 }));
    }

    [Test]
    public void SkipPolicyLeavesNonFiniteElementsAloneAndCountsThem()
    {
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest,
            NonFinite: NonFinitePolicy.Skip);
        byte[] codes = [10, 10, 10];
        float[] v = [0.5f, 0.5f, 0.5f];
        var stats = backend.LnsMadamStep(s, codes, [1f, float.NaN, float.NegativeInfinity], v);
        Assert.That(codes[1..], Is.EqualTo(new byte[] { 10, 10 }));
        Assert.That(v[1..], Is.EqualTo(new[] { 0.5f, 0.5f }));
        Assert.That(stats.NonFiniteSkipped, Is.EqualTo(2));
    }

    [Test]
    public void RoundedGradientStepsByWholeMultiplesOfTheCodeScale()
    {
        // γ = 128, lr = ln 2 / 128: the code scale γ·lr/ln 2 is 1, so with ĝ rounded every step is round(ĝ) codes
        var f = new LnsFormat(12, 128, 1f);
        var s = new LnsMadamSettings(f, 1, (float)(Math.Log(2) / 128), Rounding: RoundingMode.Nearest, RoundGradient: true);
        var codes = Enumerable.Repeat((ushort)500, 64).ToArray();
        var g = Enumerable.Range(0, 64).Select(i => (i - 32) * 0.01f).ToArray();
        var v = new float[64];
        backend.LnsMadamStep(s, codes, g, v);
        var gh = g.Select((x, i) => MathF.Floor(Math.Clamp(x / MathF.Sqrt(v[i] / 0.001f), -10f, 10f) + 0.5f)).ToArray();
        for (int i = 0; i < 64; ++i)
            Assert.That((int)codes[i] - 500, Is.EqualTo((int)gh[i]), $"element {i}: ĝ = {g[i] / MathF.Sqrt(v[i] / 0.001f)}");
    }
}
