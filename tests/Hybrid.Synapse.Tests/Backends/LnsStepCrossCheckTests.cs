using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The LNS Madam step on every backend against the managed twin: codes and second moments
/// identical bit for bit, for every length 0…300 (all vector tails, rounding stripes cut
/// anywhere), a few large lengths (threaded, chunk boundaries), several seeds, every B, both
/// rounding modes and every number of random bits (cycling with the length and the step).
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.Candidates))]
public class LnsStepCrossCheckTests(ISynapseBackend backend)
{
    private static readonly int[] LargeLengths = [16_384, 16_387, 65_536 + 5, 300_001];
    private static readonly ulong[] Seeds = [0, 7, 0xDEADBEEFCAFEF00D];

    [Test]
    public void Uint16CodesMatchManaged([Range(2, 16)] int bits, [Values] RoundingMode rounding) =>
        CheckAllLengths<ushort>(bits, rounding);

    [Test]
    public void Uint8CodesMatchManaged([Range(2, 8)] int bits, [Values] RoundingMode rounding) =>
        CheckAllLengths<byte>(bits, rounding);

    private void CheckAllLengths<T>(int bits, RoundingMode rounding)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        foreach (var seed in Seeds)
        {
            for (int n = 0; n <= 300; ++n) Check<T>(bits, rounding, seed, n, steps: 2);
            if (seed == Seeds[1])
                foreach (int n in LargeLengths) Check<T>(bits, rounding, seed, n, steps: 2);
        }
    }

    private void Check<T>(int bits, RoundingMode rounding, ulong seed, int n, int steps)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        // lr large enough that nearest rounding moves codes too (dk up to ~g_bound·γ·lr/ln 2)
        var format = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 1f);
        float lr = 2f / format.Gamma;
        var codesRef = TestData.Codes<T>(n, bits, (int)seed + n);
        var codes = (T[])codesRef.Clone();
        var vRef = new float[n];
        var v = new float[n];
        for (int t = 1; t <= steps; ++t)
        {
            var g = TestData.Gradient(n, 1000 * t + n);
            var s = new LnsMadamSettings(format, t, lr, Rounding: rounding, Seed: seed, TensorId: (uint)(n % 5),
                RandomBits: RandomBitsFor(n + t));
            var want = Step(ManagedBackend.Instance, s, codesRef, g, vRef);
            var got = Step(backend, s, codes, g, v);
            string what = $"B={bits} {rounding} r={s.RandomBits} seed={seed} n={n} step={t}";
            TestData.AssertIdentical<T>(codesRef, codes, what + " codes");
            TestData.AssertIdentical<float>(vRef, v, what + " v");
            Assert.That(got, Is.EqualTo(want), what + " stats");
        }
    }

    [Test]
    public void MomentModesAndDeviceModelMatchManaged([Values] MomentMode mode, [Values] bool device,
        [Values(3, 8, 12)] int bits, [Values] RoundingMode rounding)
    {
        // every SIMD level hands the device model to the scalar reference path: one level checks it
        if (device && backend is ForcedSimdBackend f && f.Level != SynapseBackends.NativeSimdLevels[^1])
            Assert.Ignore("the device model runs the scalar path at every SIMD level (checked at the best one)");
        var model = device ? new DeviceModel(0.3f, 0.2f, 0.25f, 0.1f) : DeviceModel.Ideal;
        // every length 0…300; one large threaded length (70 003 = 7 · 10 001 rows); a 2^20 tensor
        // with 1024 rows for one configuration (the managed twin is slow with a device model)
        var lengths = Enumerable.Range(0, 301).Append(70_003);
        if (!device && bits == 8) lengths = lengths.Append(1 << 20);
        foreach (int n in lengths)
        {
            long rows = n == 0 ? 1 : new[] { 1024, 7, 5, 3, 2, 1 }.First(r => n % r == 0);
            var format = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 1f);
            var codesRef = TestData.Codes<ushort>(n, bits, n);
            var codes = (ushort[])codesRef.Clone();
            var proto = new LnsMadamSettings(format, 1, 2f / format.Gamma, Rounding: rounding, Seed: 5,
                TensorId: 2, Moment: mode, Rows: rows, Device: model, RandomBits: RandomBitsFor(n));
            int nv = proto.MomentLength(n);
            var (vRef, v) = (new float[nv], new float[nv]);
            for (int t = 1; t <= 2; ++t)
            {
                var g = TestData.Gradient(n, 7 * t + n);
                var s = proto with { Step = t };
                var want = ManagedBackend.Instance.LnsMadamStep(s, codesRef, g, vRef);
                var got = backend.LnsMadamStep(s, codes, g, v);
                string what = $"{mode} device={device} B={bits} {rounding} r={s.RandomBits} n={n} rows={rows} step={t}";
                TestData.AssertIdentical<ushort>(codesRef, codes, what + " codes");
                TestData.AssertIdentical<float>(vRef, v, what + " v");
                Assert.That(got, Is.EqualTo(want), what + " stats");
            }
            if (n > 300 && bits <= 8)
            {
                // the same step on uint8 codes gives the same codes
                var c8 = codesRef.Select(c => (byte)c).ToArray();
                var c8Ref = (byte[])c8.Clone();
                var g = TestData.Gradient(n, 99);
                var s = proto with { Step = 3 };
                ManagedBackend.Instance.LnsMadamStep(s, c8Ref, g, (float[])vRef.Clone());
                backend.LnsMadamStep(s, c8, g, (float[])vRef.Clone());
                TestData.AssertIdentical<byte>(c8Ref, c8, $"{mode} uint8 n={n}");
            }
        }
    }

    [Test]
    public void RoundedGradientMatchesManaged([Values(MomentMode.PerSynapse, MomentMode.PerNeuron)] MomentMode mode,
        [Values(10, 16)] int bits, [Values] RoundingMode rounding)
    {
        foreach (int n in Enumerable.Range(0, 301).Append(70_003))
        {
            var format = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 1f);
            var codesRef = TestData.Codes<ushort>(n, bits, n);
            var codes = (ushort[])codesRef.Clone();
            long rows = n == 0 ? 1 : new[] { 7, 5, 3, 2, 1 }.First(r => n % r == 0);
            // the authors' step: lr = ln 2 / 128, so dk = γ·round(ĝ)/128
            var proto = new LnsMadamSettings(format, 1, (float)(Math.Log(2) / 128), Rounding: rounding, Seed: 3, Moment: mode,
                Rows: rows, RandomBits: RandomBitsFor(n), RoundGradient: true);
            int nv = proto.MomentLength(n);
            var (vRef, v) = (new float[nv], new float[nv]);
            for (int t = 1; t <= 2; ++t)
            {
                var g = TestData.Gradient(n, 11 * t + n);
                var want = ManagedBackend.Instance.LnsMadamStep(proto with { Step = t }, codesRef, g, vRef);
                var got = backend.LnsMadamStep(proto with { Step = t }, codes, g, v);
                string what = $"{mode} B={bits} {rounding} n={n} step={t}";
                TestData.AssertIdentical<ushort>(codesRef, codes, what + " codes");
                Assert.That(got, Is.EqualTo(want), what + " stats");
            }
        }
    }

    [Test]
    public void EveryRandomBitsMatchesManagedOnLargeTensors([ValueSource(typeof(LnsMadamSettings), nameof(LnsMadamSettings.RandomBitsChoices))] int r)
    {
        foreach (int n in new[] { 70_003, 300_001 })
        {
            var format = new LnsFormat(8, 8f, 1f);
            var codesRef = TestData.Codes<byte>(n, 8, n);
            var codes = (byte[])codesRef.Clone();
            var (vRef, v) = (new float[n], new float[n]);
            var s = new LnsMadamSettings(format, 3, 0.05f, Seed: 11, TensorId: 4, RandomBits: r, NonFinite: NonFinitePolicy.Skip);
            var g = TestData.Gradient(n, 5);
            var want = ManagedBackend.Instance.LnsMadamStep(s, codesRef, g, vRef);
            var got = backend.LnsMadamStep(s, codes, g, v);
            TestData.AssertIdentical<byte>(codesRef, codes, $"r={r} n={n} codes");
            TestData.AssertIdentical<float>(vRef, v, $"r={r} n={n} v");
            Assert.That(got, Is.EqualTo(want), $"r={r} n={n} stats");
        }
    }

    /// <summary>Random bits per rounding, cycling through every allowed value.</summary>
    internal static int RandomBitsFor(int i) => LnsMadamSettings.RandomBitsChoices[i % LnsMadamSettings.RandomBitsChoices.Count];

    private static StepStats Step<T>(ISynapseBackend b, LnsMadamSettings s, T[] codes, float[] g, float[] v)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T> => codes switch
    {
        byte[] c8 => b.LnsMadamStep(s, c8, g, v),
        ushort[] c16 => b.LnsMadamStep(s, c16, g, v),
        _ => throw new NotSupportedException(typeof(T).Name),
    };
}

/// <summary>The native CPU backend gives the same codes on one thread as on all of them.</summary>
public class ThreadIndependenceTests
{
    [Test]
    public void ResultsDoNotDependOnTheThreadCount([Values] RoundingMode rounding)
    {
        var backend = NativeCpuBackend.Instance;
        const int n = 1 << 20;
        var f = new LnsFormat(8, 8f, 1f);
        var g = TestData.Gradient(n, 3);
        var c1 = TestData.Codes<byte>(n, 8, 4);
        var c2 = (byte[])c1.Clone();
        var v1 = new float[n];
        var v2 = new float[n];
        var s = new LnsMadamSettings(f, 1, 0.05f, Rounding: rounding, Seed: 9);
        int before = SynapseBackends.NativeThreads;
        try
        {
            SynapseBackends.NativeThreads = 1;
            backend.LnsMadamStep(s, c1, g, v1);
            SynapseBackends.NativeThreads = 0;
            backend.LnsMadamStep(s, c2, g, v2);
        }
        finally { SynapseBackends.NativeThreads = before; }
        TestData.AssertIdentical<byte>(c1, c2, "codes");
        TestData.AssertIdentical<float>(v1, v2, "v");
    }
}

/// <summary>The comparison the cross-checks rely on really fails on a one-code difference.</summary>
public class AssertIdenticalTests
{
    [Test]
    public void OneCodeDifferenceIsCaught()
    {
        var a = TestData.Codes<ushort>(257, 12, 1);
        var b = (ushort[])a.Clone();
        b[200] ^= 1;
        var ex = Assert.Throws<AssertionException>(() => TestData.AssertIdentical<ushort>(a, b, "codes"));
        Assert.That(ex!.Message, Does.Contain("element 200"));
    }

    [Test]
    public void OneUlpDifferenceIsCaught()
    {
        float[] a = [1f, 2f, 3f];
        float[] b = [1f, MathF.BitIncrement(2f), 3f];
        Assert.Throws<AssertionException>(() => TestData.AssertIdentical<float>(a, b, "v"));
    }
}
