using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The exact GEMM in every operand layout training uses (A and B plain or stored transposed), over every
/// accumulator width W from 2 to 32, shapes across the vector kernels' panel and block boundaries, zeros and
/// both code widths, and the quantise-and-encode call — every backend (native-cpu at every SIMD level)
/// bit-identical to the managed twin, and the twin's transposed layouts equal to its plain one.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class ArithmeticLayoutTests(ISynapseBackend backend)
{
    private static ushort[] Codes(int n, int bits, int seed, int kmax, double zero)
    {
        var r = new Random(seed);
        int kz = (1 << (bits - 1)) - 1;
        var c = new ushort[n];
        for (int i = 0; i < n; ++i)
        {
            int k = r.NextDouble() < zero ? kz : Math.Min(r.Next(kmax), kz - 1);
            c[i] = (ushort)(k | (r.Next(2) << (bits - 1)));
        }
        return c;
    }

    private static ushort[] Transpose(ushort[] a, int rows, int cols)
    {
        var t = new ushort[a.Length];
        for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            t[c * rows + r] = a[r * cols + c];
        return t;
    }

    [Test]
    public void EveryLayoutAndWidthEqualsTheTwin([Values(false, true)] bool aT, [Values(false, true)] bool bT)
    {
        var shapes = new (int M, int K, int N)[] { (1, 1, 1), (3, 300, 17), (17, 129, 16), (33, 65, 31), (64, 257, 8) };
        for (int w = 2; w <= 32; ++w)
        {
            var (m, k, n) = shapes[w % shapes.Length];
            int f = (w * 7) % (w - 1), gamma = 1 << (w % 4 + 1), bits = 8;
            var fa = new LnsFormat(bits, gamma, 0.8f);
            var fb = new LnsFormat(bits, gamma, 1.7f);
            var plain = new LnsGemmSettings(fa, fb, m, k, n, w, f);
            var s = plain with { ATransposed = aT, BTransposed = bT };
            var a = Codes(m * k, bits, w, w < 12 ? 2 * gamma : 40, w % 3 == 0 ? 0.5 : 0.05);
            var b = Codes(k * n, bits, w + 100, w < 12 ? 2 * gamma : 40, 0.05);
            var want = new float[m * n];
            var stWant = ArithmeticKernels.LnsGemmExact<ushort>(plain, a, b, want);
            var sa = aT ? Transpose(a, m, k) : a;
            var sb = bT ? Transpose(b, k, n) : b;
            var twin = new float[m * n];
            var stTwin = ArithmeticKernels.LnsGemmExact<ushort>(s, sa, sb, twin);
            TestData.AssertIdentical<float>(want, twin, $"twin, W {w}: the layout changes nothing");
            Assert.That(stTwin, Is.EqualTo(stWant));
            var got = new float[m * n];
            var st = backend.LnsGemmExact<ushort>(s, sa, sb, got);
            TestData.AssertIdentical<float>(want, got, $"u16, W {w}, F {f}, γ {gamma}, {m}x{k}x{n}");
            Assert.That(st with { Kernel = null }, Is.EqualTo(stWant with { Kernel = null }), $"u16 counts, W {w}");
            var got8 = new float[m * n];
            var st8 = backend.LnsGemmExact<byte>(s, sa.Select(x => (byte)x).ToArray(), sb.Select(x => (byte)x).ToArray(), got8);
            TestData.AssertIdentical<float>(want, got8, $"u8, W {w}");
            Assert.That(st8 with { Kernel = null }, Is.EqualTo(stWant with { Kernel = null }), $"u8 counts, W {w}");
        }
    }

    [Test]
    public void GemmStatsNameTheKernelThatRan()
    {
        var f = new LnsFormat(8, 8, 1f);
        var st = backend.LnsGemmExact<byte>(new LnsGemmSettings(f, f, 2, 3, 4), new byte[6], new byte[12], new float[8]);
        string want = backend switch
        {
            ManagedBackend or ManagedSimdBackend => "managed",
            ForcedSimdBackend forced => $"native-cpu {forced.Level}",
            _ => $"native-cpu {SynapseBackends.NativeSimd}",
        };
        Assert.That(st.Kernel, Is.EqualTo(want));
    }

    [Test]
    public void QuantizeEncodeIsQuantiseThenEncode([Values(4, 8, 12)] int bits, [Values] RoundingMode rounding)
    {
        var fmt = new LnsFormat(bits, bits == 12 ? 256f : 8f, 0.37f);
        var s = new LnsQuantizeSettings(fmt, rounding, Seed: 5, Step: 3, TensorId: 7, NonFinite: NonFinitePolicy.Skip);
        foreach (int n in new[] { 0, 1, 17, 300, 70001 })
        {
            var x = TestData.Normal(n, n + bits, 0.3f);
            for (int i = 0; i < n; i += 97) x[i] = i % 2 == 0 ? 0f : 2f;
            if (n > 50) x[50] = float.NaN;
            var y = new float[n];
            var stWant = ArithmeticKernels.LnsQuantize(s, x, y);
            var finite = y.Select(v => float.IsFinite(v) ? v : 0f).ToArray();
            var want = new ushort[n];
            ManagedKernels.LnsEncode<ushort>(fmt, finite, want);
            var y2 = new float[n];
            var codes = new ushort[n];
            var st = backend.LnsQuantizeEncode<ushort>(s, x, y2, codes);
            TestData.AssertIdentical<float>(y, y2, $"n {n}: values");
            Assert.That(codes, Is.EqualTo(want), $"n {n}: codes");
            Assert.That(st, Is.EqualTo(stWant));
            var only = new ushort[n];
            backend.LnsQuantizeEncode<ushort>(s, x, Span<float>.Empty, only);
            Assert.That(only, Is.EqualTo(want), $"n {n}: codes only");
            if (bits <= 8)
            {
                var c8 = new byte[n];
                backend.LnsQuantizeEncode<byte>(s, x, x, c8); // in place
                TestData.AssertIdentical<float>(y, x, $"n {n}: in place");
                Assert.That(c8.Select(c => (ushort)c), Is.EqualTo(want), $"n {n}: u8 codes");
            }
        }
    }
}
