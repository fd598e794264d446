using System.Runtime.InteropServices;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// Bad input through the public C# API of every backend: an <see cref="ArgumentException"/>
/// whose message names the problem, and every output buffer exactly as it was.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class BadInputTests(ISynapseBackend backend)
{
    private const int N = 64;
    private byte[] _codes8 = null!;
    private ushort[] _codes16 = null!;
    private float[] _x = null!, _g = null!, _v = null!, _w = null!;
    private byte[] _snapshot = null!;

    [SetUp]
    public void Fill()
    {
        _codes8 = Support.TestData.Codes<byte>(N, 8, 1);
        _codes16 = Support.TestData.Codes<ushort>(N, 12, 2);
        _x = Support.TestData.Normal(N, 3, 0.2f);
        _g = Support.TestData.Normal(N, 4);
        _v = Support.TestData.Normal(N, 5).Select(MathF.Abs).ToArray();
        _w = Support.TestData.Normal(N, 6);
        _snapshot = Snapshot();
    }

    private byte[] Snapshot() =>
    [
        .. _codes8, .. MemoryMarshal.AsBytes(_codes16.AsSpan()), .. MemoryMarshal.AsBytes(_x.AsSpan()),
        .. MemoryMarshal.AsBytes(_g.AsSpan()), .. MemoryMarshal.AsBytes(_v.AsSpan()), .. MemoryMarshal.AsBytes(_w.AsSpan()),
    ];

    private void Rejects(TestDelegate call, string mentions)
    {
        var ex = Assert.Throws(Is.InstanceOf<ArgumentException>(), call);
        Assert.That(ex!.Message, Does.Contain(mentions).IgnoreCase, "the message names the problem");
        Assert.That(Snapshot(), Is.EqualTo(_snapshot), "no buffer changed");
    }

    private static readonly LnsFormat F8 = new(8, 8f, 1f), F12 = new(12, 64f, 1f);
    private LnsMadamSettings Lns(LnsFormat f) => new(f, 1);

    [Test] public void BitsBelowRange() => Rejects(() => backend.LnsEncode(F8 with { Bits = 1 }, _x, _codes16), "bits = 1");
    [Test] public void BitsAboveRange() => Rejects(() => backend.LnsEncode(F8 with { Bits = 17 }, _x, _codes16), "bits = 17");
    [Test] public void NineBitsInUint8() => Rejects(() => backend.LnsEncode(F8 with { Bits = 9 }, _x, _codes8), "uint8");
    [Test] public void GammaZero() => Rejects(() => backend.LnsDecode(F8 with { Gamma = 0f }, _codes8, _x), "gamma");
    [Test] public void GammaNaN() => Rejects(() => backend.LnsDecode(F8 with { Gamma = float.NaN }, _codes8, _x), "gamma");
    [Test] public void WMaxNegative() => Rejects(() => backend.LnsDecode(F8 with { WMax = -1f }, _codes8, _x), "w_max");
    [Test] public void WMaxInfinite() => Rejects(() => backend.LnsDecode(F8 with { WMax = float.PositiveInfinity }, _codes8, _x), "w_max");
    [Test] public void LevelsUnderflow() => Rejects(() => backend.LnsDecode(F12 with { Gamma = 1f }, _codes16, _x), "underflows");
    [Test] public void MismatchedLengths() => Rejects(() => backend.LnsEncode(F8, _x, _codes8.AsSpan(1)), "must match");
    [Test] public void NullArrayIsAnEmptySpanAndMismatches() => Rejects(() => backend.LnsEncode(F8, (float[])null!, _codes8), "must match");
    [Test] public void NonFiniteInputToEncode()
    {
        _x[40] = float.NaN;
        _snapshot = Snapshot();
        Rejects(() => backend.LnsEncode(F8, _x, _codes8), "[40]");
    }
    [Test] public void CodeOutsideItsFormat()
    {
        _codes16[17] = 1 << 12;
        _snapshot = Snapshot();
        Rejects(() => backend.LnsDecode(F12, _codes16, _x), "codes[17]");
        Rejects(() => backend.LnsMadamStep(Lns(F12), _codes16, _g, _v), "codes[17]");
    }
    [Test] public void OverlappingEncodeBuffers() =>
        Rejects(() => backend.LnsEncode(F8, _x.AsSpan(0, 8), MemoryMarshal.AsBytes(_x.AsSpan(1, 2))), "overlap");
    [Test] public void OverlappingStepBuffers() => Rejects(() => backend.LnsMadamStep(Lns(F8), _codes8, _g, _g), "overlap");
    [Test] public void NonFiniteGradientRejected()
    {
        _g[63] = float.PositiveInfinity;
        _snapshot = Snapshot();
        Rejects(() => backend.LnsMadamStep(Lns(F8), _codes8, _g, _v), "grad[63]");
        Rejects(() => backend.MadamStep(new MadamSettings(1f, 1), _w, _g, _v), "grad[63]");
    }
    [Test] public void StepZero() => Rejects(() => backend.LnsMadamStep(Lns(F8) with { Step = 0 }, _codes8, _g, _v), "step");
    [Test] public void BetaTwoOne() => Rejects(() => backend.LnsMadamStep(Lns(F8) with { Beta2 = 1f }, _codes8, _g, _v), "beta2");
    [Test] public void NegativeLr() => Rejects(() => backend.MadamStep(new MadamSettings(1f, 1, Lr: -1f), _w, _g, _v), "lr");
    [Test] public void ZeroGBound() => Rejects(() => backend.MadamStep(new MadamSettings(1f, 1, GBound: 0f), _w, _g, _v), "g_bound");
    [Test] public void ZeroWMax() => Rejects(() => backend.MadamStep(new MadamSettings(0f, 1), _w, _g, _v), "w_max");
    [Test] public void HugeCodeSteps() => Rejects(() => backend.LnsMadamStep(Lns(F8) with { Lr = 1e6f }, _codes8, _g, _v), "2^20");
    [Test] public void RandomBitsNotAChoice([Values(0, 3, 24, 33)] int r) =>
        Rejects(() => backend.LnsMadamStep(Lns(F8) with { RandomBits = r }, _codes8, _g, _v), "random_bits");
    [Test] public void CodeScaleBeyondFloat() =>
        Rejects(() => backend.LnsMadamStep(Lns(F8) with { Lr = 3e38f, GBound = 1e-38f }, _codes8, _g, _v), "overflows float");
    [Test] public void UnknownRounding() => Rejects(() => backend.LnsMadamStep(Lns(F8) with { Rounding = (RoundingMode)7 }, _codes8, _g, _v), "rounding");
    [Test] public void MadamOverlap() => Rejects(() => backend.MadamStep(new MadamSettings(1f, 1), _w.AsSpan(0, 32), _w.AsSpan(16, 32), _v.AsSpan(0, 32)), "overlap");
    [Test] public void RmsOfNothing() => Rejects(() => backend.Rms([]), backend is ManagedBackend or ManagedSimdBackend ? "empty" : "n = 0");
    [Test] public void RandomPurposeOutOfRange() => Rejects(() => backend.RandomUniform(new RandomStream(1, 1, 1, 256), 0, _x), "purpose");

    [Test]
    public void EmptyTensorsAreFine()
    {
        backend.LnsEncode(F8, ReadOnlySpan<float>.Empty, Span<byte>.Empty);
        backend.LnsDecode(F12, ReadOnlySpan<ushort>.Empty, Span<float>.Empty);
        var s = backend.LnsMadamStep(Lns(F8), Span<byte>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty);
        Assert.That(s, Is.EqualTo(new StepStats(0, 0, 0)));
        backend.MadamStep(new MadamSettings(1f, 1), Span<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty);
    }
}
