using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// Every device family on every backend against the managed twin, bit for bit: the LNS step with a family (code
/// domain), its programming events (pulses, write noise), reads (write offsets, read noise, drift), the float-weight
/// device step (weight domain) and float reads, for every length 0…300 and one large threaded length, both roundings
/// and both code widths.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.Candidates))]
public class DeviceCrossCheckTests(ISynapseBackend backend)
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 301), 70_003];

    /// <summary>Every family, with its device-to-device spreads on where it has them.</summary>
    public static IEnumerable<(string Name, DeviceResponse Response)> Families() =>
    [
        ("constant", DeviceResponse.Constant with { UpDownDtod = 0.1f }),
        ("linear-step", DeviceResponse.LinearStep(0.3f, 0.5f, 0.05f, 0.08f)),
        ("soft-bounds", DeviceResponse.SoftBounds() with { UpDownDtod = 0.05f }),
        ("exp-step", DeviceResponse.ExpStep()),
        ("pow-step", DeviceResponse.PowStep(1.5f, 0.1f, 0.2f, 0.05f)),
        ("piecewise-step", DeviceResponse.PiecewiseStep([1.5f, 1f, 0.5f, 0.2f], [0.2f, 0.6f, 1f, 1.4f])),
    ];

    private static DeviceModel Model(DeviceResponse r) =>
        new DeviceModel(0.1f, 0.1f, 0.15f, 0.05f) { Response = r, WriteNoiseStd = 0.4f, ReadNoiseStd = 0.2f };

    [Test]
    public void LnsStepWithEveryFamilyMatchesManaged([Values(3, 8, 12)] int bits, [Values] RoundingMode rounding)
    {
        foreach (var (name, r) in Families())
            foreach (int n in Lengths)
            {
                var format = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 1f);
                var codesRef = TestData.Codes<ushort>(n, bits, n + bits);
                var codes = (ushort[])codesRef.Clone();
                var (vRef, v) = (new float[n], new float[n]);
                var s = new LnsMadamSettings(format, 1, 2f / format.Gamma, Rounding: rounding, Seed: 9, TensorId: (uint)(n % 3),
                    Device: Model(r), RandomBits: LnsStepCrossCheckTests.RandomBitsFor(n));
                for (int t = 1; t <= 2; ++t)
                {
                    var g = TestData.Gradient(n, 31 * t + n);
                    var want = ManagedBackend.Instance.LnsMadamStep(s with { Step = t }, codesRef, g, vRef);
                    var got = backend.LnsMadamStep(s with { Step = t }, codes, g, v);
                    string what = $"{name} B={bits} {rounding} n={n} step={t}";
                    TestData.AssertIdentical<ushort>(codesRef, codes, what + " codes");
                    TestData.AssertIdentical<float>(vRef, v, what + " v");
                    Assert.That(got, Is.EqualTo(want), what + " stats");
                }
                if (n == Lengths[^1] && bits <= 8)
                {
                    var c8 = codesRef.Select(c => (byte)c).ToArray();
                    var c8Ref = (byte[])c8.Clone();
                    var g = TestData.Gradient(n, 5);
                    ManagedBackend.Instance.LnsMadamStep(s with { Step = 3 }, c8Ref, g, (float[])vRef.Clone());
                    backend.LnsMadamStep(s with { Step = 3 }, c8, g, (float[])vRef.Clone());
                    TestData.AssertIdentical<byte>(c8Ref, c8, $"{name} uint8 n={n}");
                }
            }
    }

    [Test]
    public void ProgrammingEventsMatchManaged([Values] bool wide, [Values(0f, 0.7f)] float writeNoise)
    {
        int bits = wide ? 12 : 6;
        foreach (int n in Lengths)
        {
            var before = TestData.Codes<ushort>(n, bits, n);
            var after = (ushort[])before.Clone();
            var rnd = new Random(n);
            for (int i = 0; i < n; ++i)
                if (rnd.Next(3) == 0) after[i] = (ushort)rnd.Next(1 << bits);
            var s = new LnsProgramSettings(bits, writeNoise, 77, 5, 3);
            float[] oRef = writeNoise > 0 ? TestData.Normal(n, 3) : [], o = (float[])oRef.Clone();
            ProgramStats want, got;
            if (wide)
            {
                want = ManagedBackend.Instance.LnsProgram<ushort>(s, before, after, oRef);
                got = backend.LnsProgram<ushort>(s, before, after, o);
            }
            else
            {
                byte[] b8 = before.Select(c => (byte)c).ToArray(), a8 = after.Select(c => (byte)c).ToArray();
                want = ManagedBackend.Instance.LnsProgram<byte>(s, b8, a8, oRef);
                got = backend.LnsProgram<byte>(s, b8, a8, o);
            }
            Assert.That(got, Is.EqualTo(want), $"n={n} stats");
            TestData.AssertIdentical<float>(oRef, o, $"n={n} offsets");
        }
    }

    [Test]
    public void LnsReadsMatchManaged([Values(4, 8, 16)] int bits, [Values] bool offsets, [Values] bool drift)
    {
        var format = new LnsFormat(bits, LnsCodecTests.GammaFor(bits), 0.7f);
        foreach (int n in Lengths)
        {
            var codes = TestData.Codes<ushort>(n, bits, 7 * n);
            float[] o = offsets ? TestData.Normal(n, n, 0.5f) : [];
            var s = new LnsReadSettings(format, 13, 4 + n, 2, 0.3f, drift ? new DriftModel(0.06f, 0.3f) : default, drift ? 86_400 : 0);
            var (want, got) = (new float[n], new float[n]);
            if (bits <= 8)
            {
                var c8 = codes.Select(c => (byte)c).ToArray();
                ManagedBackend.Instance.LnsRead<byte>(s, c8, o, want);
                backend.LnsRead<byte>(s, c8, o, got);
            }
            else
            {
                ManagedBackend.Instance.LnsRead<ushort>(s, codes, o, want);
                backend.LnsRead<ushort>(s, codes, o, got);
            }
            TestData.AssertIdentical<float>(want, got, $"B={bits} offsets={offsets} drift={drift} n={n}");
        }
    }

    [Test]
    public void FloatDeviceStepWithEveryFamilyMatchesManaged([Values] RoundingMode rounding)
    {
        foreach (var (name, r) in Families())
            foreach (int n in Lengths)
            {
                var s = new DeviceUpdateSettings(Model(r), 21, 3, (uint)(n % 4), 0.05f, 0.002f, -0.5f, 0.7f, rounding);
                var rnd = new Random(n);
                var hRef = Enumerable.Range(0, n).Select(_ => (float)(rnd.NextDouble() * 1.2 - 0.5)).ToArray();
                var aRef = hRef.Select(h => h * s.Scale).ToArray();
                var dw = TestData.Normal(n, n + 1, 0.0004f);
                for (int i = 0; i < n; i += 29) dw[i] = 0f;
                var (h, a) = ((float[])hRef.Clone(), (float[])aRef.Clone());
                var want = ManagedBackend.Instance.DeviceUpdate(s, hRef, aRef, dw);
                var got = backend.DeviceUpdate(s, h, a, dw);
                string what = $"{name} {rounding} n={n}";
                TestData.AssertIdentical<float>(hRef, h, what + " hidden");
                TestData.AssertIdentical<float>(aRef, a, what + " apparent");
                Assert.That(got, Is.EqualTo(want), what + " stats");
                if (n > 1000) Assert.That(want.Programmed, Is.GreaterThan(n / 4), what + ": the step programs devices");
            }
    }

    [Test]
    public void FloatDeviceReadsMatchManaged([Values] bool drift, [Values(0f, 0.01f)] float noise)
    {
        foreach (int n in Lengths)
        {
            var w = TestData.Normal(n, n, 0.1f);
            var s = new DeviceReadSettings(5, n, 1, noise, drift ? new DriftModel(0.1f, 0.5f, 1.0) : default, drift ? 2.6e6 : 0);
            var (want, got) = (new float[n], new float[n]);
            ManagedBackend.Instance.DeviceRead(s, w, want);
            backend.DeviceRead(s, w, got);
            TestData.AssertIdentical<float>(want, got, $"drift={drift} noise={noise} n={n}");
        }
    }

    [Test]
    public void EveryBackendRefusesTheSameBadDeviceCallWritingNothing()
    {
        var format = new LnsFormat(8, 8f, 1f);
        var codes = new byte[] { 1, 2, 3 };
        var g = new float[] { 0.1f, -0.1f, 0.2f };
        var v = new float[3];
        // a parameter the family does not use is an error, never silently ignored
        var bad = new LnsMadamSettings(format, 1, 0.1f, Device: new DeviceModel { Response = DeviceResponse.SoftBounds() with { GammaUp = 0.5f } });
        var e = Assert.Throws<ArgumentException>(() => backend.LnsMadamStep(bad, codes, g, v));
        Assert.That(e!.Message, Does.Contain("gamma_up").And.Contain("soft-bounds"));
        Assert.That(codes, Is.EqualTo(new byte[] { 1, 2, 3 }));
        var h = new float[] { 0.1f, 0.2f };
        var a = new float[] { 0.1f, 0.2f };
        var s = new DeviceUpdateSettings(DeviceModel.Ideal, 1, 1, 0, 1f, WMin: 0.5f, WMax: 0.5f);
        e = Assert.Throws<ArgumentException>(() => backend.DeviceUpdate(s, h, a, [1f, 1f]));
        Assert.That(e!.Message, Does.Contain("w_min"));
        e = Assert.Catch<ArgumentException>(() => backend.DeviceUpdate(s with { WMin = -1f }, h, a, [float.NaN, 1f]));
        Assert.That(e!.Message, Does.Contain("dw[0]"));
        Assert.That(h, Is.EqualTo(new[] { 0.1f, 0.2f }));
        var table = DeviceResponse.PiecewiseStep([1f, 2f], [1f]);
        e = Assert.Throws<ArgumentException>(() => backend.DeviceUpdate(s with { WMin = -1f, Device = new DeviceModel { Response = table } },
            h, a, [1f, 1f]));
        Assert.That(e!.Message, Does.Contain("piecewise_down"));
    }
}
