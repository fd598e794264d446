using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;


namespace Hybrid.Synapse.Simd;

/// <summary>A step's constants broadcast to eight lanes once per call.</summary>
internal readonly struct MadamLanes
{
    public readonly Vector256<float> Beta2, OneMinusBeta2, BiasCorrection, GBound, NegGBound, CodeScale;

    public MadamLanes(in MadamConsts c)
    {
        Beta2 = Vector256.Create(c.Beta2);
        OneMinusBeta2 = Vector256.Create(c.OneMinusBeta2);
        BiasCorrection = Vector256.Create(c.BiasCorrection);
        GBound = Vector256.Create(c.GBound);
        NegGBound = Vector256.Create(-c.GBound);
        CodeScale = Vector256.Create(c.CodeScale);
    }
}

/// <summary>
/// The element maths of <see cref="LnsMath"/> (and of the native float Madam step) on eight
/// lanes: the same IEEE operations in the same order — no fused multiply-add (.NET never
/// contracts on its own), <see cref="Vector256.Floor{T}(Vector256{T})"/> and correctly rounded
/// sqrt and division — so every lane gives the scalar function's bits. Every select is an
/// explicit compare-and-blend, never Min/Max, so NaN and −0 go the scalar code's way.
/// </summary>
internal static class SimdMath
{
    private static readonly Vector256<uint> ExponentMask = Vector256.Create(0x7F800000u);

    /// <summary>All-ones lanes where x is finite (exponent bits not all set), as hyb_isfinite_f32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IsFinite(Vector256<float> x) =>
        ~Vector256.Equals(x.AsUInt32() & ExponentMask, ExponentMask).AsSingle();

    /// <summary><see cref="LnsMath.Normalised"/> on eight lanes: ĝ = g / sqrt(v / bc), NaN → 0, clamped to
    /// ±g_bound (IEEE division: g/0 → ±∞ → ±g_bound, 0/0 → 0), and the new second moment in <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Normalised(Vector256<float> g, ref Vector256<float> v, in MadamLanes c)
    {
        var nv = c.Beta2 * v + c.OneMinusBeta2 * (g * g);
        v = nv;
        var gh = g / Vector256.Sqrt(nv / c.BiasCorrection);
        gh = Vector256.ConditionalSelect(Vector256.Equals(gh, gh), gh, Vector256<float>.Zero);   // NaN → 0
        gh = Vector256.ConditionalSelect(Vector256.GreaterThan(gh, c.GBound), c.GBound, gh);
        gh = Vector256.ConditionalSelect(Vector256.LessThan(gh, c.NegGBound), c.NegGBound, gh);
        return gh;
    }

    /// <summary>
    /// <see cref="LnsMath.StepOne"/> on eight codes (widened to 32 bits): the new codes, with
    /// <paramref name="kmax"/> = K, <paramref name="signMask"/> = ~K and <paramref name="kLast"/> = K − 1 per lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> StepCodes(Vector256<uint> code, Vector256<float> gh, Vector256<float> u,
        Vector256<uint> kmax, Vector256<uint> signMask, Vector256<int> kLast, Vector256<float> codeScale)
    {
        var k = code & kmax;
        var sign = code & signMask;
        var dk = gh * codeScale;
        // −dk where the sign bit is set: an exact sign flip, as the scalar unary minus
        var negative = ~Vector256.Equals(sign, Vector256<uint>.Zero);
        dk = (dk.AsUInt32() ^ (negative & Vector256.Create(0x80000000u))).AsSingle();
        var r = Vector256.Floor(dk + u);
        // r is an integer with |r| <= 2^20 + 1 (validated), so the native conversion is exact
        var kn = k.AsInt32() + Vector256.ConvertToInt32Native(r);
        kn = Vector256.ConditionalSelect(Vector256.LessThan(kn, Vector256<int>.Zero), Vector256<int>.Zero, kn);
        kn = Vector256.ConditionalSelect(Vector256.GreaterThan(kn, kLast), kLast, kn);
        return Vector256.ConditionalSelect(Vector256.Equals(k, kmax), code, sign | kn.AsUInt32());
    }

    /// <summary>
    /// e^x on eight lanes: native/src/lns_math.h's hyb_expf operation for operation (Cody–Waite
    /// reduction, degree-7 Taylor polynomial, 2^n from the exponent bits), about 2 ulp from the
    /// correctly rounded value; arguments clamped to [−87, 88].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var lo = Vector256.Create(-87.0f);
        var hi = Vector256.Create(88.0f);
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, lo), lo, x);
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(x, hi), hi, x);
        var n = Vector256.Floor(x * Vector256.Create(1.44269504088896341f) + Vector256.Create(0.5f));
        var r = x - n * Vector256.Create(0.693145751953125f);   // ln 2, high part (exact product)
        r = r - n * Vector256.Create(1.42860676533018704e-06f);  // ln 2, low part
        var p = Vector256.Create(1.0f / 5040.0f);
        p = p * r + Vector256.Create(1.0f / 720.0f);
        p = p * r + Vector256.Create(1.0f / 120.0f);
        p = p * r + Vector256.Create(1.0f / 24.0f);
        p = p * r + Vector256.Create(1.0f / 6.0f);
        p = p * r + Vector256.Create(0.5f);
        p = p * r + Vector256.Create(1.0f);
        p = p * r + Vector256.Create(1.0f);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
        return p * scale;
    }
}
