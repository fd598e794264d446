using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using TorchSharp;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// Issue 22 item 18: the FP8 baselines' grids, value by value, at their edges — the largest value, the
/// round-to-nearest-even ties below it, saturation above it (counted), the smallest normal, the subnormal
/// step, and the flush to zero below half the smallest subnormal (counted as underflow). With the scale
/// equal to the format's maximum the quantiser's rescaling is the identity, so every expected value is
/// the format's own number, written out from its definition (E4M3: bias 7, no infinities, max
/// 1.75·2^8 = 448, smallest normal 2^−6, subnormal step 2^−9; E5M2: bias 15, max 1.75·2^15 = 57344,
/// smallest normal 2^−14, subnormal step 2^−16). Random data never reaches these edges: a wrong floor or
/// maximum survived every other test (mutation testing, issue 22).
/// </summary>
public class Fp8GridTests
{
    private static (float[] Y, long Saturated, long Underflowed) Quantize(NumberFormat format, float max, float[] x)
    {
        var q = new TensorQuantizer(new QuantizerSpec(format), TensorRole.Activations, 0, 1, ManagedBackend.Instance);
        using var t = torch.tensor(x);
        var (y, stats, _) = q.Apply(t, 1, true, max, float.NaN);
        using (y) return (y.data<float>().ToArray(), stats.Saturated, stats.Underflowed);
    }

    private static float P(int e) => MathF.Pow(2, e);

    [Test]
    public void E4M3LandsOnItsGridAtEveryEdge()
    {
        (float In, float Out)[] cases =
        [
            (448f, 448f),              // the largest value, 1.75·2^8
            (-448f, -448f),
            (416f, 416f),              // the next below it, 1.625·2^8
            (432f, 448f),              // the tie between them rounds to the even mantissa (1.75)
            (424f, 416f),              // below the tie
            (P(-6), P(-6)),            // smallest normal
            (1.125f * P(-6), 1.125f * P(-6)), // smallest normal's first step (2^−9)
            (7 * P(-9), 7 * P(-9)),    // largest subnormal
            (P(-9), P(-9)),            // smallest subnormal
            (0.75f * P(-9), P(-9)),    // rounds up to it
            (1.5f * P(-9), 2 * P(-9)), // a subnormal tie rounds to even
            (2.5f * P(-9), 2 * P(-9)),
            (0f, 0f),
        ];
        var (y, saturated, underflowed) = Quantize(NumberFormat.Fp8E4M3, 448f, cases.Select(c => c.In).ToArray());
        Assert.That(y, Is.EqualTo(cases.Select(c => c.Out).ToArray()));
        Assert.That((saturated, underflowed), Is.EqualTo((0L, 0L)));

        // above the maximum: clamped and counted; below half the smallest subnormal: flushed and counted
        var (y2, saturated2, underflowed2) = Quantize(NumberFormat.Fp8E4M3, 448f, [500f, -1e4f, P(-10), -P(-10), 0.4f * P(-9), P(-20)]);
        Assert.That(y2, Is.EqualTo(new[] { 448f, -448f, 0f, -0f, 0f, 0f }));
        Assert.That(saturated2, Is.EqualTo(2), "two values above 448");
        Assert.That(underflowed2, Is.EqualTo(4), "2^−10 is the tie between 0 and 2^−9 and goes to even (0); the rest are below it");
    }

    [Test]
    public void E5M2LandsOnItsGridAtEveryEdge()
    {
        (float In, float Out)[] cases =
        [
            (57344f, 57344f),           // the largest value, 1.75·2^15
            (-57344f, -57344f),
            (49152f, 49152f),           // 1.5·2^15
            (53248f, 49152f),           // the tie between them goes to the even mantissa (1.5)
            (55000f, 57344f),           // above the tie
            (9f, 8f),                   // two mantissa bits: 9 = 1.125·2^3 is the tie between 8 and 10 → 8
            (11f, 12f),                 // 1.375·2^3: the tie between 10 and 12 → 12
            (P(-14), P(-14)),           // smallest normal
            (1.25f * P(-14), 1.25f * P(-14)),
            (3 * P(-16), 3 * P(-16)),   // largest subnormal
            (P(-16), P(-16)),           // smallest subnormal
            (1.5f * P(-16), 2 * P(-16)),
        ];
        var (y, saturated, underflowed) = Quantize(NumberFormat.Fp8E5M2, 57344f, cases.Select(c => c.In).ToArray());
        Assert.That(y, Is.EqualTo(cases.Select(c => c.Out).ToArray()));
        Assert.That((saturated, underflowed), Is.EqualTo((0L, 0L)));

        var (y2, saturated2, underflowed2) = Quantize(NumberFormat.Fp8E5M2, 57344f, [60000f, -1e6f, P(-17), 0.3f * P(-16)]);
        Assert.That(y2, Is.EqualTo(new[] { 57344f, -57344f, 0f, 0f }));
        Assert.That(saturated2, Is.EqualTo(2));
        Assert.That(underflowed2, Is.EqualTo(2));
    }

    [Test]
    public void TheScaleMapsTheTensorsMaximumOntoTheFormatsMaximum()
    {
        // with scale s, x is quantised as s/max · Q(x · max/s): the grid of E5M2 scaled so that s lands on 57344
        const float s = 7f;
        var (y, _, _) = Quantize(NumberFormat.Fp8E5M2, s, [7f, 6f, 6.5f]);
        Assert.That(y, Is.EqualTo(new[] { 7f, 6f, 6f }), "1.75, 1.5 and their tie (to even) in units of s/1.75");
    }
}
