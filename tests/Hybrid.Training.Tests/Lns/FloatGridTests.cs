using Hybrid.Synapse.Arithmetic;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// The FP8/INT8 quantisers' one-pass kernel (<see cref="FloatGrids"/>) against the torch composition it replaced (kept
/// here as the reference, op for op): bit for bit on values spread over 60 octaves, exact grid points and ties, at
/// lengths that leave every possible vector tail, with max-abs and smaller (saturating) scales; and the same counts.
/// </summary>
public class FloatGridTests
{
    // the previous implementation (TensorQuantizer before the kernel), unchanged
    private static (float[] Q, long Saturated, long Underflowed) Reference(float[] x, float scale, string format)
    {
        using var scope = NewDisposeScope();
        var y = tensor(x);
        using Scalar sScale = scale.ToScalar(), zero = 0f.ToScalar();
        var nonzero = y.ne(zero);
        long saturated = y.abs().gt(sScale).sum().item<long>();
        Tensor q;
        if (format == "int8")
        {
            using Scalar unit = (scale / 127f).ToScalar(), lo = (-127).ToScalar(), hi = 127.ToScalar();
            q = y.div(unit).round_().clamp_(lo, hi).mul_(unit);
        }
        else
        {
            bool e4m3 = format == "e4m3";
            float max = e4m3 ? 448f : 57344f;
            int mantissa = e4m3 ? 3 : 2, minExp = e4m3 ? -6 : -14;
            using Scalar up = (max / scale).ToScalar(), down = (scale / max).ToScalar(), floor = MathF.Pow(2, minExp).ToScalar(),
                bits = mantissa.ToScalar(), lo = (-max).ToScalar(), hi = max.ToScalar();
            var v = y.mul(up);
            var e = v.abs().clamp_min(floor).log2_().floor_();
            var unit = e.sub_(bits).exp2_();
            q = v.div(unit).round_().mul_(unit).clamp_(lo, hi).mul_(down);
        }
        long underflowed = q.eq(zero).logical_and_(nonzero).sum().item<long>();
        return (q.data<float>().ToArray(), saturated, underflowed);
    }

    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; ++i)
        {
            double mag = Math.Pow(2, rng.NextDouble() * 60 - 40);
            x[i] = (float)(rng.Next(2) == 0 ? mag : -mag);
            if (i % 7 == 0) x[i] = MathF.Round(x[i] * 64) / 64; // grid points and ties of the coarser grids
            if (i % 11 == 0) x[i] = 0f;
        }
        return x;
    }

    [TestCase("e4m3")]
    [TestCase("e5m2")]
    [TestCase("int8")]
    public void TheKernelIsTheTorchCompositionBitForBit(string format)
    {
        foreach (int n in new[] { 1, 7, 8, 15, 16, 17, 31, 33, 64, 1000, 4099 })
            foreach (int seed in new[] { 1, 2 })
            {
                var x = Values(n, seed * 1000 + n);
                float maxAbs = x.Max(MathF.Abs);
                if (maxAbs == 0) continue;
                foreach (float scale in new[] { maxAbs, maxAbs / 8, maxAbs * 3 })
                {
                    var (want, wantSat, wantUnder) = Reference(x, scale, format);
                    var got = new float[n];
                    var stats = format == "int8" ? FloatGrids.Int8(x, got, scale) : FloatGrids.Fp8(x, got, scale, format == "e4m3");
                    for (int i = 0; i < n; ++i)
                        Assert.That(BitConverter.SingleToUInt32Bits(got[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(want[i])),
                            $"{format} n={n} scale={scale:R} x[{i}]={x[i]:R}: {got[i]:R} vs the reference's {want[i]:R}");
                    Assert.That((stats.Elements, stats.Saturated, stats.Underflowed), Is.EqualTo(((long)n, wantSat, wantUnder)), $"{format} n={n} scale={scale:R}");
                }
            }
    }

    [Test]
    public void InPlaceEqualsOutOfPlaceAndBadArgumentsAreRefused()
    {
        var x = Values(100, 9);
        float s = x.Max(MathF.Abs);
        var outOfPlace = new float[100];
        FloatGrids.Fp8(x, outOfPlace, s, e4m3: true);
        var inPlace = (float[])x.Clone();
        var inPlaceStats = FloatGrids.Fp8(inPlace, inPlace, s / 4, e4m3: true);
        Assert.That(inPlaceStats, Is.EqualTo(FloatGrids.Fp8(x, new float[100], s / 4, e4m3: true)), "the counts read the input, not the output");
        Assert.That(inPlaceStats.Saturated, Is.GreaterThan(0));
        inPlace = (float[])x.Clone();
        FloatGrids.Fp8(inPlace, inPlace, s, e4m3: true);
        Assert.That(inPlace, Is.EqualTo(outOfPlace));
        foreach (int n in new[] { 3, 13 }) // the scalar tail alone, and lanes + tail
        {
            var a = x[..n];
            var b = (float[])a.Clone();
            Assert.That(FloatGrids.Int8(b, b, s / 4), Is.EqualTo(FloatGrids.Int8(a, new float[n], s / 4)), $"int8 in place, n={n}");
        }
        Assert.That(Assert.Throws<ArgumentException>(() => FloatGrids.Int8(x, new float[99], s))!.Message, Does.Contain("fewer"));
        Assert.That(Assert.Throws<ArgumentException>(() => FloatGrids.Fp8(x, outOfPlace, float.NaN, true))!.Message, Does.Contain("scale"));
    }
}
