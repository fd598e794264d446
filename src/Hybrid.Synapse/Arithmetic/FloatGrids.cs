using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hybrid.Synapse.Arithmetic;

/// <summary>
/// The FP8 and INT8 baselines' quantisers as one pass over a tensor's memory: each value scaled onto the format's range
/// by a max-abs (or given) scale, rounded to the nearest grid value (ties to even), clamped at the format's largest value,
/// and scaled back, counting the values that saturated (|x| above the scale) and those that became 0. Vectorised with
/// <see cref="Vector{T}"/> (the width the JIT picks for the machine: 256 or 512 bits) and a scalar tail; both lanes and tail
/// compute every value with the same float32 operations, so the result does not depend on the width or the length.
/// </summary>
/// <remarks>
/// Definition (the same float32 operations as the torch composition it replaced, value for value; a test keeps the two
/// equal): v = x·fl(max/scale); |v| ≥ 2^minExp rounds its float32 mantissa to m bits (ties to even, a carry moves the
/// exponent), |v| below rounds to the subnormal step 2^(minExp − m); the result is clamped to ±max and multiplied by
/// fl(scale/max). E4M3: m = 3, minExp = −6, max 448 (no infinities); E5M2: m = 2, minExp = −14, max 57344. INT8:
/// q = clamp(round(x / fl(scale/127)), −127, 127)·fl(scale/127). Inputs must be finite (the caller returns early otherwise).
/// </remarks>
public static class FloatGrids
{
    /// <summary>x quantised to FP8 (E4M3 when <paramref name="e4m3"/>, else E5M2) at <paramref name="scale"/> into y.</summary>
    /// <exception cref="ArgumentException">y shorter than x, or a scale that is not finite and positive.</exception>
    public static QuantizeStats Fp8(ReadOnlySpan<float> x, Span<float> y, float scale, bool e4m3)
    {
        Check(x, y, scale);
        float max = e4m3 ? 448f : 57344f;
        int m = e4m3 ? 3 : 2, minExp = e4m3 ? -6 : -14;
        float up = max / scale, down = scale / max;
        float minNormal = MathF.Pow(2, minExp), toSteps = MathF.Pow(2, m - minExp), stepSize = MathF.Pow(2, minExp - m);
        uint half = (1u << (22 - m)) - 1, keep = ~((1u << (23 - m)) - 1);
        int shift = 23 - m;
        long saturated = 0, underflowed = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vUp = new Vector<float>(up);
            var vDown = new Vector<float>(down);
            var vScale = new Vector<float>(scale);
            var vMinNormal = new Vector<float>(minNormal);
            var vToSteps = new Vector<float>(toSteps);
            var vStep = new Vector<float>(stepSize);
            var vMax = new Vector<float>(max);
            var vHalf = new Vector<uint>(half);
            var vKeep = new Vector<uint>(keep);
            var vOne = Vector<uint>.One;
            var vSign = new Vector<uint>(0x8000_0000u);
            Vector<int> sat = Vector<int>.Zero, under = Vector<int>.Zero;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var xv = new Vector<float>(x.Slice(i));
                var v = xv * vUp;
                var a = Vector.Abs(v);
                var bits = Vector.AsVectorUInt32(a);
                var lsb = Vector.ShiftRightLogical(bits, shift) & vOne;
                var normal = Vector.AsVectorSingle((bits + vHalf + lsb) & vKeep);
                var sub = Vector.Round(a * vToSteps) * vStep;
                var q = Vector.Min(Vector.ConditionalSelect(Vector.LessThan(a, vMinNormal), sub, normal), vMax);
                q = Vector.AsVectorSingle(Vector.AsVectorUInt32(q) | (Vector.AsVectorUInt32(v) & vSign)) * vDown;
                q.CopyTo(y.Slice(i));
                sat -= Vector.GreaterThan(Vector.Abs(xv), vScale);
                under -= Vector.Equals(q, Vector<float>.Zero) & ~Vector.Equals(xv, Vector<float>.Zero);
            }
            saturated += Vector.Sum(sat);
            underflowed += Vector.Sum(under);
        }
        for (; i < x.Length; ++i)
        {
            float xi = x[i], v = xi * up, a = MathF.Abs(v), q; // x may be y: read before the write
            if (a < minNormal) q = MathF.Round(a * toSteps) * stepSize;
            else
            {
                uint bits = BitConverter.SingleToUInt32Bits(a);
                q = BitConverter.UInt32BitsToSingle((bits + half + ((bits >> shift) & 1u)) & keep);
            }
            q = MathF.CopySign(MathF.Min(q, max), v) * down;
            y[i] = q;
            if (MathF.Abs(xi) > scale) ++saturated;
            if (q == 0f && xi != 0f) ++underflowed;
        }
        return new QuantizeStats(x.Length, saturated, underflowed, 0);
    }

    /// <summary>x quantised to symmetric INT8 (±127 steps of scale/127) into y.</summary>
    /// <exception cref="ArgumentException">y shorter than x, or a scale that is not finite and positive.</exception>
    public static QuantizeStats Int8(ReadOnlySpan<float> x, Span<float> y, float scale)
    {
        Check(x, y, scale);
        float unit = scale / 127f;
        long saturated = 0, underflowed = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vUnit = new Vector<float>(unit);
            var vScale = new Vector<float>(scale);
            var vHi = new Vector<float>(127f);
            var vLo = new Vector<float>(-127f);
            Vector<int> sat = Vector<int>.Zero, under = Vector<int>.Zero;
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var xv = new Vector<float>(x.Slice(i));
                var q = Vector.Min(Vector.Max(Vector.Round(xv / vUnit), vLo), vHi) * vUnit;
                q.CopyTo(y.Slice(i));
                sat -= Vector.GreaterThan(Vector.Abs(xv), vScale);
                under -= Vector.Equals(q, Vector<float>.Zero) & ~Vector.Equals(xv, Vector<float>.Zero);
            }
            saturated += Vector.Sum(sat);
            underflowed += Vector.Sum(under);
        }
        for (; i < x.Length; ++i)
        {
            float xi = x[i], q = Math.Clamp(MathF.Round(xi / unit), -127f, 127f) * unit; // x may be y: read before the write
            y[i] = q;
            if (MathF.Abs(xi) > scale) ++saturated;
            if (q == 0f && xi != 0f) ++underflowed;
        }
        return new QuantizeStats(x.Length, saturated, underflowed, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(ReadOnlySpan<float> x, Span<float> y, float scale)
    {
        if (y.Length < x.Length) throw new ArgumentException($"the output holds {y.Length} values, fewer than the input's {x.Length}.", nameof(y));
        if (!(scale > 0) || !float.IsFinite(scale)) throw new ArgumentException($"the scale {scale} must be finite and > 0.", nameof(scale));
    }
}
