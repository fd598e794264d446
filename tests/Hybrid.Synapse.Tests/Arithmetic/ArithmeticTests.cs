using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// LNS quantisation and the exact LNS GEMM on every backend: hand-checked values, every backend
/// bit-identical to the managed twin (every B, both roundings, lengths 0…300 and a large one),
/// stochastic quantisation unbiased, the exact GEMM equal to a straightforward reference
/// (accumulator saturation and truncation included), bad input refused with nothing written.
/// </summary>
// every SIMD level forced in turn: the quantiser's AVX-512 register tables, AVX2's gathers and the scalar block each
// against the twin (issue 21)
[TestFixtureSource(typeof(Backends), nameof(Backends.AllLevels))]
public class ArithmeticTests(ISynapseBackend backend)
{
    private static LnsQuantizeSettings Q(int bits, float gamma, float scale, RoundingMode r = RoundingMode.Nearest,
        NonFinitePolicy policy = NonFinitePolicy.Reject) =>
        new(new LnsFormat(bits, gamma, scale), r, Seed: 42, Step: 11, TensorId: 3, NonFinite: policy);

    /// <summary>Values over many octaves, with zeros, saturating and underflowing ones.</summary>
    private static float[] Values(int n, int seed, float scale)
    {
        var x = TestData.Normal(n, seed, scale);
        var r = new Random(seed + 1);
        for (int i = 0; i < n; ++i)
        {
            x[i] *= MathF.Pow(2f, -10f * (float)r.NextDouble());
            if (i % 19 == 0) x[i] = 0f;
            if (i % 97 == 5) x[i] = 3f * scale;
            if (i % 89 == 7) x[i] = scale * 1e-12f;
        }
        return x;
    }

    [Test]
    public void HandCheckedGrid()
    {
        // B = 4, γ = 1, scale 1: levels 1, 1/2, …, 1/64; thresholds at the geometric midpoints; 0 below 1/128
        float[] x = [0f, 1f, 0.75f, 0.70f, -0.3f, 2f, 1f / 64, 1f / 128, 1f / 129, -1e-30f];
        float[] want = [0f, 1f, 1f, 0.5f, -0.25f, 1f, 1f / 64, 1f / 64, 0f, 0f];
        var y = new float[x.Length];
        var st = backend.LnsQuantize(Q(4, 1f, 1f), x, y);
        Assert.That(y, Is.EqualTo(want));
        Assert.That(st, Is.EqualTo(new QuantizeStats(10, 1, 2, 0)));
        Assert.That(float.IsNegative(y[9]), Is.False, "an underflow is +0");
    }

    [Test]
    public void QuantizedValuesAreExactlyTheDecodedLevels([Values(4, 8, 12)] int bits)
    {
        var f = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 0.6f);
        var x = Values(2000, bits, 0.6f);
        var y = new float[x.Length];
        backend.LnsQuantize(new LnsQuantizeSettings(f), x, y);
        var codes = new ushort[x.Length];
        var back = new float[x.Length];
        backend.LnsEncode(f, y, codes);
        backend.LnsDecode(f, codes, back);
        TestData.AssertIdentical<float>(y, back, "quantised values lie on the grid");
    }

    [Test]
    public void BitIdenticalToTheTwin([Range(2, 16)] int bits, [Values] RoundingMode rounding)
    {
        float gamma = LnsCodecTests.GammaFor(bits);
        var s = Q(bits, gamma, 0.37f, rounding, NonFinitePolicy.Skip);
        for (int n = 0; n <= 300; n += bits == 8 ? 1 : 23)
            Compare(s, Values(n, n + bits, 0.37f), $"B = {bits}, n = {n}");
        if (bits is 8 or 16)
        {
            var big = Values((1 << 20) + 3, 7, 0.37f);
            big[1000] = float.NaN;
            Compare(s, big, $"B = {bits}, large");
        }
    }

    /// <summary>8-bit grids of whole levels per octave (lns8/8 is compare's GEMM format), whose repeating bucket table
    /// AVX-512 and AVX2 look up in registers, and γ = 5.5, whose table does not repeat and is gathered.</summary>
    [Test]
    public void BitIdenticalToTheTwinOnGridsLookedUpInRegisters([Values(4f, 5.5f, 8f, 16f)] float gamma, [Values] RoundingMode rounding)
    {
        var s = Q(8, gamma, 0.37f, rounding, NonFinitePolicy.Skip);
        foreach (int n in new[] { 1, 15, 16, 17, 255, 256, 257, 300, 4099 })
            Compare(s, Values(n, n + 8, 0.37f), $"γ = {gamma}, n = {n}");
    }

    private void Compare(in LnsQuantizeSettings s, float[] x, string what)
    {
        var want = new float[x.Length];
        var got = new float[x.Length];
        var stWant = ArithmeticKernels.LnsQuantize(s, x, want);
        var stGot = backend.LnsQuantize(s, x, got);
        TestData.AssertIdentical<float>(want, got, what);
        Assert.That(stGot, Is.EqualTo(stWant), what);
        backend.LnsQuantize(s, x, x); // in place
        TestData.AssertIdentical<float>(want, x, what + " (in place)");
    }

    [TestCase(0.7f), TestCase(0.013f), TestCase(1e-4f), TestCase(0.999f)]
    public void StochasticQuantisationIsUnbiased(float value)
    {
        const int n = 1 << 16;
        var x = Enumerable.Repeat(value, n).ToArray();
        var y = new float[n];
        backend.LnsQuantize(Q(6, 2f, 1f, RoundingMode.Stochastic), x, y);
        double mean = y.Average(v => (double)v), sd = Math.Sqrt(y.Average(v => ((double)v - mean) * ((double)v - mean)));
        Assert.That(sd, Is.GreaterThan(0), "the value lies between levels, so draws differ");
        Assert.That(Math.Abs(mean - value), Is.LessThanOrEqualTo(5 * sd / Math.Sqrt(n)), $"mean {mean}, sd {sd}");
    }

    [Test]
    public void NonFiniteInputIsRejectedOrCopied()
    {
        float[] x = [0.3f, float.NaN, float.NegativeInfinity, 1f];
        var y = new float[] { 9, 9, 9, 9 };
        var ex = Assert.Catch<ArgumentException>(() => backend.LnsQuantize(Q(8, 8f, 2f), x, y));
        Assert.That(ex!.Message, Does.Contain("x[1]"));
        Assert.That(y, Is.EqualTo(new float[] { 9, 9, 9, 9 }), "nothing written");
        var st = backend.LnsQuantize(Q(8, 8f, 2f, policy: NonFinitePolicy.Skip), x, y);
        Assert.That(float.IsNaN(y[1]) && float.IsNegativeInfinity(y[2]) && st.NonFinite == 2);
    }

    // ---- exact GEMM ----

    private static LnsGemmSettings G(int bits, float gamma, int m, int k, int n, int w = 32, int f = 24) =>
        new(new LnsFormat(bits, gamma, 0.8f), new LnsFormat(bits, gamma, 1.7f), m, k, n, w, f);

    private static ushort[] Codes(int n, int bits, int seed)
    {
        var r = new Random(seed);
        int kz = (1 << (bits - 1)) - 1;
        var c = new ushort[n];
        for (int i = 0; i < n; ++i)
        {
            int k = Math.Min(r.Next(40), kz);
            if (r.NextDouble() < 0.1) k = kz;
            c[i] = (ushort)(k | (r.Next(2) << (bits - 1)));
        }
        return c;
    }

    /// <summary>The datapath written out plainly: each bucket's products in k order, saturating.</summary>
    private static (float[] C, long Saturations, long Truncated) Reference(LnsGemmSettings s, ushort[] a, ushort[] b)
    {
        int g = (int)s.A.Gamma;
        long hi = (1L << (s.AccumulatorBits - 1)) - 1, lo = -hi - 1, sat = 0, trunc = 0;
        var c = new float[s.M * s.N];
        for (int m = 0; m < s.M; ++m)
        for (int n = 0; n < s.N; ++n)
        {
            var bucket = new long[g];
            for (int k = 0; k < s.K; ++k)
            {
                int ka = a[m * s.K + k] & s.A.ZeroIndex, kb = b[k * s.N + n] & s.B.ZeroIndex;
                if (ka == s.A.ZeroIndex || kb == s.B.ZeroIndex) continue;
                int e = ka + kb, q = e / g, r = e % g;
                if (q > s.FractionBits) { trunc++; continue; }
                bool negative = ((a[m * s.K + k] >> (s.A.Bits - 1)) ^ (b[k * s.N + n] >> (s.B.Bits - 1))) != 0;
                long v = (negative ? -1L : 1L) << (s.FractionBits - q);
                long t = bucket[r] + v;
                if (t > hi || t < lo) { sat++; t = Math.Clamp(t, lo, hi); }
                bucket[r] = t;
            }
            double sum = 0;
            for (int r = 0; r < g; ++r) sum += bucket[r] * LnsMath.Exp2(-(double)r / g);
            c[m * s.N + n] = (float)(sum * Math.Pow(2, -s.FractionBits) * ((double)s.A.WMax * s.B.WMax));
        }
        return (c, sat, trunc);
    }

    [TestCase(0, 5, 3), TestCase(3, 0, 4), TestCase(1, 1, 1), TestCase(5, 7, 17), TestCase(9, 33, 31), TestCase(16, 64, 48)]
    public void ExactGemmEqualsTheReference(int m, int k, int n)
    {
        foreach (int gamma in new[] { 1, 2, 8, 64 })
        foreach (var (w, f) in new[] { (32, 24), (10, 6) })
        {
            int bits = gamma >= 2 ? 8 : 6;
            var s = G(bits, gamma, m, k, n, w, f);
            var a = Codes(m * k, bits, m + gamma);
            var b = Codes(k * n, bits, n + gamma);
            var (want, sat, trunc) = Reference(s, a, b);
            var c16 = new float[m * n];
            var st = backend.LnsGemmExact<ushort>(s, a, b, c16);
            TestData.AssertIdentical<float>(want, c16, $"γ {gamma}, W {w}: u16");
            Assert.That(st with { Kernel = null }, Is.EqualTo(new GemmStats((long)m * k * n, sat, trunc)), $"γ {gamma}, W {w}");
            var c8 = new float[m * n];
            backend.LnsGemmExact<byte>(s, a.Select(x => (byte)x).ToArray(), b.Select(x => (byte)x).ToArray(), c8);
            TestData.AssertIdentical<float>(want, c8, $"γ {gamma}, W {w}: u8");
        }
    }

    [Test]
    public void ExactGemmBitIdenticalToTheTwinOnALayer()
    {
        var s = G(8, 8f, 64, 784, 40, 16, 12); // a narrow accumulator: some outputs saturate
        var a = Codes(64 * 784, 8, 1).Select(x => (byte)x).ToArray();
        var b = Codes(784 * 40, 8, 2).Select(x => (byte)x).ToArray();
        var want = new float[64 * 40];
        var got = new float[64 * 40];
        var stWant = ArithmeticKernels.LnsGemmExact<byte>(s, a, b, want);
        var stGot = backend.LnsGemmExact<byte>(s, a, b, got);
        TestData.AssertIdentical<float>(want, got, "outputs");
        Assert.That(stGot with { Kernel = null }, Is.EqualTo(stWant with { Kernel = null }));
        Assert.That(stWant.Saturations, Is.GreaterThan(0), "the case exercises saturation");
    }

    [Test]
    public void SaturationByHand()
    {
        // γ 1, W = 4 (−8…7), F = 2: products of k = 0 codes are 4 units; +4 +4 +4 −4 runs 4, 7, 7, 3
        var s = new LnsGemmSettings(new LnsFormat(6, 1f, 0.8f), new LnsFormat(6, 1f, 1.7f), 1, 4, 1, 4, 2);
        var c = new float[1];
        var st = backend.LnsGemmExact<byte>(s, [0, 0, 0, 0x20], [0, 0, 0, 0], c);
        Assert.That(c[0], Is.EqualTo((float)(3 * 0.25 * ((double)0.8f * 1.7f))));
        Assert.That(st with { Kernel = null }, Is.EqualTo(new GemmStats(4, 2, 0)));
    }

    [TestCase(6f, 6f, 32, 24, "power of two")]
    [TestCase(8f, 4f, 32, 24, "one γ")]
    [TestCase(128f, 128f, 32, 24, "power of two")]
    [TestCase(8f, 8f, 8, 7, "too small for one product")]
    [TestCase(8f, 8f, 33, 24, "accumulator width 33")]
    public void BadGemmSettingsAreRejected(float ga, float gb, int w, int f, string mentions)
    {
        var s = new LnsGemmSettings(new LnsFormat(8, ga, 1f), new LnsFormat(8, gb, 1f), 2, 2, 2, w, f);
        var c = new float[] { 5, 5, 5, 5 };
        var ex = Assert.Catch<ArgumentException>(() => backend.LnsGemmExact<byte>(s, [0, 1, 2, 3], [0, 1, 2, 3], c));
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(c, Is.EqualTo(new float[] { 5, 5, 5, 5 }), "nothing written");
    }

    [Test]
    public void BadGemmBuffersAreRejected()
    {
        var s = G(4, 1f, 2, 2, 2);
        var c = new float[] { 5, 5, 5, 5 };
        Assert.That(Assert.Catch<ArgumentException>(() => backend.LnsGemmExact<byte>(s, [0, 1, 2], [0, 1, 2, 3], c))!.Message,
            Does.Contain("M·K"));
        Assert.That(Assert.Catch<ArgumentException>(() => backend.LnsGemmExact<byte>(s, [0, 1, 0x1F, 3], [0, 1, 2, 3], c))!.Message,
            Does.Contain("a[2]"));
        Assert.That(c, Is.EqualTo(new float[] { 5, 5, 5, 5 }), "nothing written");
        var x = new float[8];
        Assert.That(Assert.Catch<ArgumentException>(() => backend.LnsQuantize(Q(8, 8f, 1f), x.AsSpan(0, 4), x.AsSpan(2, 4)))!.Message,
            Does.Contain("overlap"));
    }
}
