using System.Numerics;
using System.Runtime.Intrinsics.X86;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Simd;
using Hybrid.Synapse.Twin;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// What the backend-parameterised tests cannot see of <see cref="SimdKernels"/>: that its vector
/// path (not the reference fallback) is the one under test here, its eight-lane Philox word for
/// word, the skip policy's masks against the reference at every tail length, and its vector
/// validation naming the same first bad element as the reference wherever that element sits.
/// </summary>
public class SimdKernelsTests
{
    [Test]
    public void TheVectorPathIsTheOneTestedOnThisMachine()
    {
        if (!Avx2.IsSupported) Assert.Ignore("no AVX2 here: SimdKernels runs the reference code");
        Assert.That(SimdKernels.IsAccelerated, Is.True);
    }

    [Test]
    public void EightLanePhiloxMatchesTheScalarStream(
        [Values(0ul, 0xDEADBEEFCAFEF00Dul)] ulong seed, [Values(0u, 1u, 255u)] uint purpose)
    {
        if (!PhiloxSimd.IsSupported) Assert.Ignore("no AVX2 here");
        foreach (uint block in new uint[] { 0, 8, 1000, (1u << 29) - 8, uint.MaxValue - 7 })
        foreach (long step in new long[] { 1, 0x1_2345_6789 })
        {
            PhiloxSimd.Blocks8(seed, step, 77u, purpose, block, out var c0, out var c1, out var c2, out var c3);
            for (int j = 0; j < 8; ++j)
            {
                var want = Philox.StreamBlock(seed, step, 77u, purpose, block + (uint)j);
                Assert.That(new[] { c0[j], c1[j], c2[j], c3[j] }, Is.EqualTo(new[] { want.W0, want.W1, want.W2, want.W3 }),
                    $"block {block}+{j} step {step}");
            }
        }
    }

    [Test]
    public void SkipPolicyMatchesTheReferenceAtEveryTail([Values] RoundingMode rounding)
    {
        for (int n = 0; n <= 100; ++n)
        {
            var g = NonFiniteGradient(n);
            var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 3, 0.2f, Rounding: rounding, Seed: 5,
                NonFinite: NonFinitePolicy.Skip);
            CompareLns<byte>(s, TestData.Codes<byte>(n, 8, n), g, $"u8 n={n}");
            CompareLns<ushort>(s with { Format = new LnsFormat(12, 64f, 1f), Lr = 0.02f },
                TestData.Codes<ushort>(n, 12, n), g, $"u16 n={n}");

            var w = TestData.Normal(n, n, 0.3f);
            var (wr, vr) = ((float[])w.Clone(), Enumerable.Repeat(0.01f, n).ToArray());
            var (ws, vs) = ((float[])w.Clone(), Enumerable.Repeat(0.01f, n).ToArray());
            var m = new MadamSettings(0.8f, 2, Lr: 0.05f, NonFinite: NonFinitePolicy.Skip);
            var want = ManagedKernels.MadamStep(m, wr, g, vr);
            var got = SimdKernels.MadamStep(m, ws, g, vs);
            Assert.That(got, Is.EqualTo(want), $"madam n={n} stats");
            TestData.AssertIdentical<float>(vr, vs, $"madam n={n} v");
            TestData.AssertIdentical<float>(wr, ws, $"madam n={n} w");
        }
    }

    [Test]
    public void VectorValidationNamesTheSameFirstBadElement()
    {
        var f = new LnsFormat(7, 8f, 1f);
        for (int n = 1; n <= 70; ++n)
        foreach (int at in new[] { 0, n / 2, n - 1 })
        {
            var codes = TestData.Codes<byte>(n, 7, n);
            codes[at] = 0x80;
            var g = TestData.Gradient(n, n);
            SameError(() => ManagedKernels.LnsMadamStep(new LnsMadamSettings(f, 1), (byte[])codes.Clone(), g, new float[n]),
                      () => SimdKernels.LnsMadamStep(new LnsMadamSettings(f, 1), codes, g, new float[n]), $"code n={n} at={at}");
            var c16 = TestData.Codes<ushort>(n, 7, n);
            c16[at] = 0x100;
            SameError(() => ManagedKernels.LnsMadamStep(new LnsMadamSettings(f, 1), (ushort[])c16.Clone(), g, new float[n]),
                      () => SimdKernels.LnsMadamStep(new LnsMadamSettings(f, 1), c16, g, new float[n]), $"u16 code n={n} at={at}");
            var bad = (float[])g.Clone();
            bad[at] = float.NaN;
            SameError(() => ManagedKernels.MadamStep(new MadamSettings(1f, 1), new float[n], bad, new float[n]),
                      () => SimdKernels.MadamStep(new MadamSettings(1f, 1), new float[n], bad, new float[n]), $"grad n={n} at={at}");
            SameError(() => ManagedKernels.MadamStep(new MadamSettings(1f, 1), bad, g, new float[n]),
                      () => SimdKernels.MadamStep(new MadamSettings(1f, 1), (float[])bad.Clone(), g, new float[n]), $"w n={n} at={at}");
        }
    }

    private static void CompareLns<T>(LnsMadamSettings s, T[] codes, float[] g, string what)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var c = (T[])codes.Clone();
        var vr = Enumerable.Repeat(0.01f, g.Length).ToArray();
        var vs = (float[])vr.Clone();
        var want = ManagedKernels.LnsMadamStep<T>(s, codes, g, vr);
        var got = SimdKernels.LnsMadamStep<T>(s, c, g, vs);
        Assert.That(got, Is.EqualTo(want), what + " stats");
        TestData.AssertIdentical<T>(codes, c, what + " codes");
        TestData.AssertIdentical<float>(vr, vs, what + " v");
    }

    private static float[] NonFiniteGradient(int n)
    {
        var g = TestData.Gradient(n, 17 + n);
        for (int i = 3; i < n; i += 7) g[i] = (i % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        return g;
    }

    private static void SameError(TestDelegate reference, TestDelegate simd, string what)
    {
        var want = Assert.Throws(Is.InstanceOf<ArgumentException>(), reference, what);
        var got = Assert.Throws(Is.InstanceOf<ArgumentException>(), simd, what);
        Assert.That(got!.Message, Is.EqualTo(want!.Message), what);
    }
}

/// <summary>The vector float Madam step computes libhybrid's e^x operation for operation, so it
/// gives the native CPU kernel's weights bit for bit (not only within the stated tolerance).</summary>
public class SimdMadamMatchesNativeTests
{
    [Test]
    public void SameBitsAsTheNativeKernel([Values(1, 31, 300, 70_001)] int n)
    {
        if (!SimdKernels.IsAccelerated) Assert.Ignore("no AVX2 here: SimdKernels runs the reference code");
        var w0 = TestData.Normal(n, 5, 0.2f);
        var (wn, vn) = ((float[])w0.Clone(), new float[n]);
        var (ws, vs) = ((float[])w0.Clone(), new float[n]);
        float wMax = (float)(3 * ManagedKernels.Rms(w0));
        for (int t = 1; t <= 10; ++t)
        {
            var g = TestData.Gradient(n, t);
            var s = new MadamSettings(wMax, t, Lr: 0.05f);
            var want = NativeCpuBackend.Instance.MadamStep(s, wn, g, vn);
            var got = SimdKernels.MadamStep(s, ws, g, vs);
            TestData.AssertIdentical<float>(wn, ws, $"w step {t}");
            TestData.AssertIdentical<float>(vn, vs, $"v step {t}");
            Assert.That(got, Is.EqualTo(want), $"stats step {t}");
        }
    }
}
