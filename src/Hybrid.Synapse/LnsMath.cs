using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>Per-call constants of a Madam step, computed once on the host (twin of hyb_madam_consts).</summary>
public readonly record struct MadamConsts(float Beta2, float OneMinusBeta2, float BiasCorrection,
    float GBound, float CodeScale, float PotentiationScale, float DepressionScale)
{
    /// <summary>LNS: ĝ rounded to an integer, floor(ĝ + 1/2), before the code step (set by the caller).</summary>
    public bool RoundGradient { get; init; }

    /// <summary>The constants for one step; <paramref name="gamma"/> and <paramref name="lr"/> give the
    /// code scale γ·η/ln 2, <paramref name="asymmetry"/> the potentiation/depression scales 1 ± a.</summary>
    public static MadamConsts Make(float beta2, float gBound, long step, float gamma, float lr, float asymmetry = 0f) => new(
        beta2, 1.0f - beta2, (float)(1.0 - LnsMath.PowI(beta2, step)), gBound,
        (float)((double)gamma * (double)lr * LnsMath.InvLn2), 1.0f + asymmetry, 1.0f - asymmetry);
}

/// <summary>
/// The element-level maths of the LNS synapse: the managed twin of native/src/lns_math.h and
/// native/src/element_steps.h, line for line. Only IEEE +, −, ×, ÷, sqrt, floor, comparisons and exact power-of-two
/// scaling are used (never Math.Log2/Exp2/Pow, whose last bits differ between libraries), and
/// .NET never fuses a multiply and an add on its own, so codes match the C and CUDA kernels
/// bit for bit.
/// </summary>
public static class LnsMath
{
    /// <summary>ln 2 in double.</summary>
    public const double Ln2 = 0.69314718055994530942;
    /// <summary>1 / ln 2 in double.</summary>
    public const double InvLn2 = 1.44269504088896340736;
    /// <summary>The clamp of a step's dk before rounding (HYB_LNS_STEP_CLAMP).</summary>
    public const float StepClamp = HybridConstants.HYB_LNS_STEP_CLAMP;

    /// <summary>2^n for an integer n in [−1022, 1023], exact.</summary>
    public static double Pow2I(int n) => BitConverter.Int64BitsToDouble((long)(n + 1023) << 52);

    /// <summary>log2(x) for finite x &gt; 0 by the atanh series (see lns_math.h).</summary>
    public static double Log2(double x)
    {
        int e = 0;
        if (x < 2.2250738585072014e-308) { x = x * 18446744073709551616.0; e = -64; }
        ulong u = (ulong)BitConverter.DoubleToInt64Bits(x);
        e += (int)((u >> 52) & 0x7FF) - 1023;
        double m = BitConverter.Int64BitsToDouble((long)((u & 0x000FFFFFFFFFFFFFul) | 0x3FF0000000000000ul));
        if (m > 1.4142135623730951) { m = m * 0.5; e += 1; }
        double s = (m - 1.0) / (m + 1.0);
        double z = s * s;
        double p = 1.0 / 23.0;
        p = p * z + 1.0 / 21.0;
        p = p * z + 1.0 / 19.0;
        p = p * z + 1.0 / 17.0;
        p = p * z + 1.0 / 15.0;
        p = p * z + 1.0 / 13.0;
        p = p * z + 1.0 / 11.0;
        p = p * z + 1.0 / 9.0;
        p = p * z + 1.0 / 7.0;
        p = p * z + 1.0 / 5.0;
        p = p * z + 1.0 / 3.0;
        p = p * z + 1.0;
        double lnM = 2.0 * s * p;
        return (double)e + lnM * InvLn2;
    }

    /// <summary>2^x for finite x in [−1000, 1000] by a Taylor polynomial (see lns_math.h).</summary>
    public static double Exp2(double x)
    {
        double n = Math.Floor(x + 0.5);
        double y = (x - n) * Ln2;
        double p = 1.0 / 1307674368000.0;
        p = p * y + 1.0 / 87178291200.0;
        p = p * y + 1.0 / 6227020800.0;
        p = p * y + 1.0 / 479001600.0;
        p = p * y + 1.0 / 39916800.0;
        p = p * y + 1.0 / 3628800.0;
        p = p * y + 1.0 / 362880.0;
        p = p * y + 1.0 / 40320.0;
        p = p * y + 1.0 / 5040.0;
        p = p * y + 1.0 / 720.0;
        p = p * y + 1.0 / 120.0;
        p = p * y + 1.0 / 24.0;
        p = p * y + 1.0 / 6.0;
        p = p * y + 0.5;
        p = p * y + 1.0;
        p = p * y + 1.0;
        int ni = (int)n;
        if (ni < -1000) return 0.0;
        if (ni < -900) return p * Pow2I(ni + 200) * Pow2I(-200);
        return p * Pow2I(ni);
    }

    /// <summary>β^t by repeated squaring in double.</summary>
    public static double PowI(double beta, long t)
    {
        double r = 1.0, b = beta;
        while (t > 0)
        {
            if ((t & 1) != 0) r = r * b;
            b = b * b;
            t >>= 1;
        }
        return r;
    }

    /// <summary>The magnitude of index k: w_max · 2^(−k/γ), rounded once to float.</summary>
    public static float Magnitude(int k, float gamma, float wMax) =>
        (float)((double)wMax * Exp2(-(double)k / (double)gamma));

    /// <summary>Encodes one finite float (nearest level in the log domain, saturating).</summary>
    public static uint EncodeOne(float x, int bits, float gamma, double log2WMax)
    {
        uint kmax = (1u << (bits - 1)) - 1u;
        if (x == 0.0f) return kmax;
        uint sign = x < 0.0f ? 1u : 0u;
        double a = x < 0.0f ? -(double)x : (double)x;
        double kstar = (double)gamma * (log2WMax - Log2(a));
        double kr = Math.Floor(kstar + 0.5);
        uint k;
        if (kr <= 0.0) k = 0;
        else if (kr >= (double)(kmax - 1u)) k = kmax - 1u;
        else k = (uint)kr;
        return (sign << (bits - 1)) | k;
    }

    /// <summary>Decodes one valid code.</summary>
    public static float DecodeOne(uint code, int bits, float gamma, float wMax)
    {
        uint kmax = (1u << (bits - 1)) - 1u;
        uint k = code & kmax;
        if (k == kmax) return 0.0f;
        float m = Magnitude((int)k, gamma, wMax);
        return (code >> (bits - 1)) != 0 ? -m : m;
    }

    /// <summary>v ← β2·v + (1−β2)·x (x = g², or a mean of g² for a shared moment); returns the
    /// denominator sqrt(v / bc) (twin of hyb_madam_moment).</summary>
    public static float Moment(float x, ref float v, in MadamConsts c)
    {
        float nv = c.Beta2 * v + c.OneMinusBeta2 * x;
        v = nv;
        return MathF.Sqrt(nv / c.BiasCorrection);
    }

    /// <summary>g / d, NaN → 0, clamped to ±g_bound: IEEE division as in jxbz/madam, so 0/0 gives 0
    /// and g/0 (g² underflowed, g ≠ 0) gives ±∞, clamped to a full ±g_bound step.</summary>
    public static float Divide(float g, float d, in MadamConsts c)
    {
        float gh = g / d;
        gh = float.IsNaN(gh) ? 0.0f : gh;
        gh = gh > c.GBound ? c.GBound : gh;
        gh = gh < -c.GBound ? -c.GBound : gh;
        return gh;
    }

    /// <summary>
    /// e^x in float for the float Madam step: native/src/element_steps.h's hyb_madam_exp operation for
    /// operation (Cody–Waite reduction, degree-7 Taylor polynomial, 2^n from the exponent bits),
    /// about 2 ulp from the correctly rounded value; arguments clamped to [−87, 88]. Every backend
    /// uses this one, so float Madam steps are bit-identical across them too.
    /// </summary>
    public static float Expf(float x)
    {
        x = x < -87.0f ? -87.0f : x;
        x = x > 88.0f ? 88.0f : x;
        float n = MathF.Floor(x * 1.44269504088896341f + 0.5f);
        float r = x - n * 0.693145751953125f;        // ln 2, high part (exact product)
        r = r - n * 1.42860676533018704e-06f;        // ln 2, low part
        float p = 1.0f / 5040.0f;
        p = p * r + 1.0f / 720.0f;
        p = p * r + 1.0f / 120.0f;
        p = p * r + 1.0f / 24.0f;
        p = p * r + 1.0f / 6.0f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        return p * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    /// <summary>The normalised, clamped gradient of one element with its own moment; updates v.</summary>
    public static float Normalised(float g, ref float v, in MadamConsts c) => Divide(g, Moment(g * g, ref v, c), c);

    /// <summary>An approximately standard normal from four uniforms (Irwin–Hall).</summary>
    public static float IrwinHall4(float u0, float u1, float u2, float u3) =>
        (((u0 + u1) + (u2 + u3)) - 2.0f) * 1.73205080756887729f;

    /// <summary>The new code after a step: u = 1/2 rounds to nearest, a uniform stochastically;
    /// <paramref name="dv"/> holds the device lanes (<see cref="DeviceLanes.One"/> without a device model: every
    /// factor exactly 1, so the products change no bit).</summary>
    public static uint StepOne(uint code, float gh, float u, in DeviceLanes dv, int bits, in MadamConsts c)
    {
        uint kmax = (1u << (bits - 1)) - 1u;
        uint k = code & kmax;
        uint sign = code & ~kmax;
        float dk = gh * c.CodeScale;
        dk = sign != 0 ? -dk : dk;
        bool pot = dk < 0.0f;   // the direction, before any scaling
        dk = dk * (pot ? dv.Pot : dv.Dep);
        dk = dk * dv.Fac;
        dk = dk * (pot ? dv.Up : dv.Down);
        dk = dk > StepClamp ? StepClamp : dk;
        dk = dk < -StepClamp ? -StepClamp : dk;
        float r = MathF.Floor(dk + u);
        int kn = (int)k + (int)r;
        kn = kn < 0 ? 0 : kn;
        kn = kn > (int)kmax - 1 ? (int)kmax - 1 : kn;
        return k == kmax ? code : (sign | (uint)kn);
    }

    /// <summary>One element of the LNS Madam step (twin of hyb_lns_element): the new code; updates
    /// <paramref name="v"/> (per-synapse moment), <paramref name="changed"/> and <paramref name="nonFinite"/>.
    /// A non-finite gradient leaves the element alone unless <paramref name="propagate"/>, where IEEE
    /// arithmetic decides (hybrid/lns.h).</summary>
    public static uint LnsElement(in MadamConsts c, MomentMode moment, bool propagate, int bits, uint code, float g,
        ref float v, float dShared, float u, in DeviceLanes dv, ref long changed, ref long nonFinite)
    {
        bool ok = float.IsFinite(g);
        bool keep = !ok && !propagate;
        float gi = keep ? 0.0f : g;
        float gh;
        switch (moment)
        {
            case MomentMode.PerSynapse:
                float vn = v;
                gh = Normalised(gi, ref vn, c);
                v = keep ? v : vn;
                break;
            case MomentMode.None:
                gh = gi > 0f ? 1f : (gi < 0f ? -1f : 0f);   // sign-only
                break;
            default:
                gh = Divide(gi, dShared, c);
                break;
        }
        if (c.RoundGradient) gh = MathF.Floor(gh + 0.5f);
        uint cn = keep ? code : StepOne(code, gh, u, dv, bits, c);
        changed += cn != code ? 1 : 0;
        nonFinite += ok ? 0 : 1;
        return cn;
    }

    /// <summary>The device factor of element e (twin of hyb_lns_device_factor).</summary>
    public static float DeviceFactor(ulong seed, long step, uint tensorId, ulong e, float c2c, float d2d, float stuckFraction)
    {
        float f = 1.0f;
        if (d2d > 0.0f)
        {
            var r = Philox.StreamBlock(seed, 0, tensorId, (uint)HybRandomPurpose.DeviceGain, e);
            float z = IrwinHall4(Philox.UnitFloat(r.W0), Philox.UnitFloat(r.W1), Philox.UnitFloat(r.W2), Philox.UnitFloat(r.W3));
            float gain = 1.0f + d2d * z;
            f = gain > 0.0f ? gain : 0.0f;
        }
        if (c2c > 0.0f)
        {
            var r = Philox.StreamBlock(seed, step, tensorId, (uint)HybRandomPurpose.StepNoise, e);
            float z = IrwinHall4(Philox.UnitFloat(r.W0), Philox.UnitFloat(r.W1), Philox.UnitFloat(r.W2), Philox.UnitFloat(r.W3));
            f = f * (1.0f + c2c * z);
        }
        if (stuckFraction > 0.0f)
        {
            var r = Philox.StreamBlock(seed, 0, tensorId, (uint)HybRandomPurpose.Stuck, e >> 2);
            f = Philox.UnitFloat(r[(int)(e & 3)]) < stuckFraction ? 0.0f : f;
        }
        return f;
    }

    /// <summary>Σ x² in double in hybrid/limits.h's order, the same double as the native hyb_sum_squares and the
    /// CUDA kernels: blocks of HYB_SUM_BLOCK; in a block, lane j of HYB_SUM_LANES adds x_j², x_(j+L)², … in
    /// order, then the lanes combine by halving; the blocks' sums combine the same way. Non-finite elements
    /// count as 0 when <paramref name="finiteOnly"/>, else enter by IEEE arithmetic (the propagate policy).</summary>
    public static double SumSquares(ReadOnlySpan<float> x, bool finiteOnly = true)
    {
        const int block = HybridConstants.HYB_SUM_BLOCK, lanes = HybridConstants.HYB_SUM_LANES;
        Span<double> blocks = stackalloc double[lanes], inBlock = stackalloc double[lanes];
        blocks.Clear();
        for (int b = 0, bi = 0; b < x.Length; b += block, ++bi)
        {
            int e = Math.Min(b + block, x.Length);
            inBlock.Clear();
            for (int i = b; i < e; ++i)
            {
                double xi = finiteOnly && !float.IsFinite(x[i]) ? 0.0 : x[i];
                inBlock[(i - b) % lanes] += xi * xi;
            }
            blocks[bi % lanes] += HalvingSum(inBlock);
        }
        return HalvingSum(blocks);
    }

    /// <summary>lane[j] += lane[j + h] for h = L/2, L/4, …, 1; returns lane[0].</summary>
    private static double HalvingSum(Span<double> lanes)
    {
        for (int h = lanes.Length / 2; h >= 1; h /= 2)
            for (int j = 0; j < h; ++j) lanes[j] = lanes[j] + lanes[j + h];
        return lanes[0];
    }

    /// <summary>(float)(Σ x² / n): what a shared moment is fed.</summary>
    public static float MeanSquare(ReadOnlySpan<float> x, bool finiteOnly = true) => (float)(SumSquares(x, finiteOnly) / x.Length);
}
