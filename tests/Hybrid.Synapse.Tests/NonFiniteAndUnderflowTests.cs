using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The inputs where IEEE arithmetic decides, on every backend, as the authors' reference
/// (jxbz/madam) decides them: a gradient whose square underflows takes a full ±g_bound step
/// (g/0 = ±∞, clamped), a zero gradient takes none (0/0 = NaN → 0), and under
/// <see cref="NonFinitePolicy.Propagate"/> a NaN or ±∞ gradient poisons that element's second
/// moment, so it takes no step then or after.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class NonFiniteAndUnderflowTests(ISynapseBackend backend)
{
    [Test]
    public void MadamUnderflowTakesAFullStepAndZeroNone()
    {
        float[] w = [1f, -1f, 1f];
        var v = new float[3];
        var stats = backend.MadamStep(new MadamSettings(10f, 1), w, [1e-25f, 1e-25f, 0f], v);
        Assert.That(v[0], Is.EqualTo(0f), "g² underflowed");
        Assert.That(w[0], Is.EqualTo(Math.Exp(-0.1)).Within(MadamTests.OneStepTolerance * Math.Exp(-0.1)), "w·exp(−lr·g_bound)");
        Assert.That(w[1], Is.EqualTo(-Math.Exp(0.1)).Within(MadamTests.OneStepTolerance * Math.Exp(0.1)));
        Assert.That(w[2], Is.EqualTo(1f), "0/0 → 0: no step");
        Assert.That(stats, Is.EqualTo(new StepStats(3, 2, 0)));
    }

    [Test]
    public void MadamPropagateFreezesNonFiniteElements()
    {
        float[] w = [0.5f, 0.5f, 0.5f, 0.5f];
        var v = new float[4];
        var s = new MadamSettings(10f, 1, NonFinite: NonFinitePolicy.Propagate);
        var stats = backend.MadamStep(s, w, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f], v);
        Assert.That(w[..3], Is.EqualTo(new[] { 0.5f, 0.5f, 0.5f }), "ĝ = NaN → 0");
        Assert.That(float.IsNaN(v[0]) && float.IsPositiveInfinity(v[1]) && float.IsPositiveInfinity(v[2]), Is.True,
            $"v absorbs g²: {v[0]}, {v[1]}, {v[2]}");
        Assert.That(stats, Is.EqualTo(new StepStats(4, 1, 3)));
        stats = backend.MadamStep(s with { Step = 2 }, w, [1f, 1f, 1f, 1f], v);
        Assert.That(w[..3], Is.EqualTo(new[] { 0.5f, 0.5f, 0.5f }), "poisoned v: frozen on later steps");
        Assert.That(stats, Is.EqualTo(new StepStats(4, 1, 0)));
    }

    [Test]
    public void LnsUnderflowTakesAFullStepAndZeroNone()
    {
        // dk = γ·lr·g_bound/ln 2 = 8·0.01·10/0.693 = 1.154 → nearest 1
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.01f, Rounding: RoundingMode.Nearest);
        byte[] codes = [10, 128 | 10, 10];
        backend.LnsMadamStep(s, codes, [1e-25f, 1e-25f, 0f], new float[3]);
        Assert.That(codes, Is.EqualTo(new byte[] { 11, 128 | 9, 10 }));
    }

    [Test]
    public void LnsPropagateFreezesNonFiniteElements([Values(MomentMode.PerSynapse, MomentMode.PerTensor)] MomentMode mode)
    {
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest,
            NonFinite: NonFinitePolicy.Propagate, Moment: mode);
        byte[] codes = [10, 10, 10];
        var v = new float[s.MomentLength(3)];
        var stats = backend.LnsMadamStep(s, codes, [float.NaN, float.PositiveInfinity, 1f], v);
        // per synapse: the finite one steps; per tensor: the shared v is NaN and nothing steps
        byte moved = mode == MomentMode.PerSynapse ? (byte)11 : (byte)10;
        Assert.That(codes, Is.EqualTo(new byte[] { 10, 10, moved }));
        Assert.That(float.IsNaN(v[0]), Is.True, $"v[0] = {v[0]}");
        Assert.That(stats.NonFiniteSkipped, Is.EqualTo(2));
        backend.LnsMadamStep(s with { Step = 2 }, codes, [1f, 1f, 1f], v);
        Assert.That(codes[..2], Is.EqualTo(new byte[] { 10, 10 }), "frozen on later steps");
    }

    [Test]
    public void SignOnlyPropagateStepsInfinityBySign()
    {
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest,
            NonFinite: NonFinitePolicy.Propagate, Moment: MomentMode.None);
        byte[] codes = [10, 10, 10];
        backend.LnsMadamStep(s, codes, [float.NaN, float.NegativeInfinity, 1f], []);
        Assert.That(codes, Is.EqualTo(new byte[] { 10, 9, 11 }));
    }
}

/// <summary>Every policy and moment mode on gradients with NaN, ±∞, zeros and underflowing values:
/// codes, moments and counts bit-identical to the managed twin on every backend.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.Candidates))]
public class NonFiniteCrossCheckTests(ISynapseBackend backend)
{
    [Test]
    public void LnsPoliciesMatchManaged([Values(NonFinitePolicy.Skip, NonFinitePolicy.Propagate)] NonFinitePolicy policy,
        [Values] MomentMode mode, [Values] RoundingMode rounding)
    {
        foreach (int n in Enumerable.Range(0, 101).Append(70_003))
        {
            long rows = n == 0 ? 1 : new[] { 7, 5, 3, 2, 1 }.First(r => n % r == 0);
            var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.25f, Rounding: rounding, Seed: 3, TensorId: 1,
                NonFinite: policy, Moment: mode, Rows: rows);
            Compare<byte>(s, TestData.Codes<byte>(n, 8, n), n);
            Compare<ushort>(s with { Format = new LnsFormat(12, 64f, 1f), Lr = 0.03f }, TestData.Codes<ushort>(n, 12, n), n);
        }
    }

    [Test]
    public void MadamPoliciesMatchManaged([Values(NonFinitePolicy.Skip, NonFinitePolicy.Propagate)] NonFinitePolicy policy,
        [Values(0, 1, 31, 100, 70_001)] int n)
    {
        var w0 = TestData.Normal(n, 9, 0.2f);
        var (wr, vr) = ((float[])w0.Clone(), new float[n]);
        var (wn, vn) = ((float[])w0.Clone(), new float[n]);
        for (int t = 1; t <= 3; ++t)
        {
            var g = Gradient(n, t);
            var s = new MadamSettings(1f, t, Lr: 0.05f, NonFinite: policy);
            var want = ManagedBackend.Instance.MadamStep(s, wr, g, vr);
            var got = backend.MadamStep(s, wn, g, vn);
            TestData.AssertIdentical<float>(vr, vn, $"{policy} n={n} step {t} v");
            for (int i = 0; i < n; ++i)
                Assert.That(wn[i], Is.EqualTo(wr[i]).Within(MadamTests.TenStepTolerance * Math.Abs(wr[i])), $"w[{i}] step {t}");
            Assert.That(got.NonFiniteSkipped, Is.EqualTo(want.NonFiniteSkipped), "non-finite count");
        }
    }

    private void Compare<T>(LnsMadamSettings s, T[] codes, int n) where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var c = (T[])codes.Clone();
        int nv = s.MomentLength(n);
        var (vr, vb) = (new float[nv], new float[nv]);
        for (int t = 1; t <= 2; ++t)
        {
            var g = Gradient(n, t + n);
            var st = s with { Step = t };
            var want = ManagedBackend.Instance.LnsMadamStep(st, codes, g, vr);
            var got = backend.LnsMadamStep(st, c, g, vb);
            string what = $"{s.NonFinite} {s.Moment} {s.Rounding} B={s.Format.Bits} n={n} step={t}";
            TestData.AssertIdentical<T>(codes, c, what + " codes");
            TestData.AssertIdentical<float>(vr, vb, what + " v");
            Assert.That(got, Is.EqualTo(want), what + " stats");
        }
    }

    /// <summary>The usual test gradient with NaN, ±∞, zeros and values whose square underflows.</summary>
    private static float[] Gradient(int n, int seed)
    {
        var g = TestData.Gradient(n, seed);
        for (int i = 3; i < n; i += 11) g[i] = (i % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        for (int i = 6; i < n; i += 13) g[i] = i % 2 == 0 ? 1e-25f : -3e-24f;
        return g;
    }
}
