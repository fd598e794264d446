using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>LNS encode/decode on every backend: round trip, monotonicity, zero and extremes;
/// native codes and values bit-identical to the managed twin.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class LnsCodecTests(ISynapseBackend backend)
{
    /// <summary>A γ (power of two) that keeps every level of a B-bit format a normal float.</summary>
    public static float GammaFor(int bits)
    {
        float g = 0.5f;
        while (((1 << (bits - 1)) - 2) / g > 100.0) g *= 2f;
        return g;
    }

    [Test]
    public void EveryCodeRoundTrips([Range(2, 16)] int bits, [Values(1f, 8f)] float gammaFactor)
    {
        var f = new LnsFormat(bits, GammaFor(bits) * gammaFactor, 0.7f);
        var codes = Enumerable.Range(0, 1 << bits).Select(c => (ushort)c).ToArray();
        var x = new float[codes.Length];
        var back = new ushort[codes.Length];
        backend.LnsDecode(f, codes, x);
        backend.LnsEncode(f, x, back);
        for (int c = 0; c < codes.Length; ++c)
        {
            bool zero = (c & f.ZeroIndex) == f.ZeroIndex;
            Assert.That(back[c], Is.EqualTo(zero ? f.ZeroCode : (uint)c), $"code {c} -> {x[c]}");
            if (zero) Assert.That(x[c], Is.EqualTo(0f));
            else if ((c & f.ZeroIndex) > 0) Assert.That(MathF.Abs(x[c]), Is.LessThan(MathF.Abs(x[c - 1])), $"code {c}");
        }
        Assert.That(x[0], Is.EqualTo(f.WMax));
        if (bits <= 8)
        {
            var c8 = codes.Select(c => (byte)c).ToArray();
            var x8 = new float[c8.Length];
            backend.LnsDecode(f, c8, x8);
            TestData.AssertIdentical<float>(x, x8, "uint8 decode");
        }
    }

    [Test]
    public void EncodeIsMonotoneAndSaturates([Values(2, 3, 5, 8, 12, 16)] int bits)
    {
        var f = new LnsFormat(bits, GammaFor(bits), 0.75f);
        const int n = 20_001;
        var x = Enumerable.Range(0, n).Select(i => -1.5f + 3f * i / (n - 1)).ToArray();
        x[n / 2] = 0f;
        var c = new ushort[n];
        var y = new float[n];
        backend.LnsEncode(f, x, c);
        backend.LnsDecode(f, c, y);
        for (int i = 1; i < n; ++i) Assert.That(y[i], Is.GreaterThanOrEqualTo(y[i - 1]), $"x = {x[i]}");
        Assert.That(c[n / 2], Is.EqualTo(f.ZeroCode));
        Assert.That(y[0], Is.EqualTo(-f.WMax));
        Assert.That(y[^1], Is.EqualTo(f.WMax));
    }

    [Test]
    public void ExtremesSaturateAndKeepTheirSign()
    {
        var f = new LnsFormat(8, 8f, 1f);
        float[] x = [3e38f, -3e38f, float.Epsilon, -float.Epsilon, 0f, -0f];
        var c = new byte[x.Length];
        backend.LnsEncode(f, x, c);
        Assert.That(c, Is.EqualTo(new byte[] { 0, 128, 126, 254, 127, 127 }));
    }
}

/// <summary>Encode/decode of every candidate backend against the managed twin, bit for bit.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.Candidates))]
public class LnsCodecCrossCheckTests(ISynapseBackend backend)
{
    [Test]
    public void MatchesManagedBitForBit([Values(2, 4, 6, 8, 10, 13, 16)] int bits, [Values(1, 2)] int seed)
    {
        var f = new LnsFormat(bits, LnsCodecTests.GammaFor(bits) * 3f, 0.5f);
        foreach (int n in new[] { 0, 1, 7, 33, 301, 70_003 })
        {
            var x = TestData.Normal(n, seed, 0.3f);
            var want = new ushort[n];
            var got = new ushort[n];
            ManagedBackend.Instance.LnsEncode(f, x, want);
            backend.LnsEncode(f, x, got);
            TestData.AssertIdentical<ushort>(want, got, $"encode n={n}");
            var xw = new float[n];
            var xg = new float[n];
            ManagedBackend.Instance.LnsDecode(f, want, xw);
            backend.LnsDecode(f, want, xg);
            TestData.AssertIdentical<float>(xw, xg, $"decode n={n}");
        }
    }
}
