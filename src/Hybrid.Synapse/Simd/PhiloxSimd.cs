using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;


namespace Hybrid.Synapse.Simd;

/// <summary>
/// Philox4x32-10 on eight counters at once (AVX2): the same function as <see cref="Philox"/>,
/// bit for bit, for eight consecutive blocks of one stream (a quarter of a rounding stripe,
/// hybrid/random.h). Lane j of each state vector is block j; a round's two 32×32→64-bit
/// products are <c>vpmuludq</c> on the even lanes plus one on the odd lanes shifted down, the
/// high and low halves put back together by blends. Callers check <see cref="IsSupported"/>.
/// </summary>
internal static class PhiloxSimd
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    private const byte OddLanes = 0b1010_1010;

    /// <summary>Whether this CPU runs the vector Philox (x64 with AVX2).</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Ten rounds on blocks <paramref name="block"/> … block + 7 of a stream: word w of block
    /// block + j is lane j of cw (the raw words, for tests against <see cref="Philox.StreamBlock"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Blocks8(ulong seed, long step, uint tensorId, uint purpose, uint block,
        out Vector256<uint> c0, out Vector256<uint> c1, out Vector256<uint> c2, out Vector256<uint> c3)
    {
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        // Round 0 on its own: words 1–3 of the counter are the same in every lane, so the
        // second product is a scalar one.
        ulong p1 = (ulong)M1 * (uint)(ulong)step;
        MulHiLo(Vector256.Create(block) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7), M0, out var hi0, out var lo0);
        c0 = Vector256.Create((uint)(p1 >> 32) ^ (purpose << 24) ^ k0);
        c1 = Vector256.Create((uint)p1);
        c2 = hi0 ^ Vector256.Create(tensorId ^ k1);
        c3 = lo0;
        for (int r = 1; r < 10; ++r)
        {
            k0 += W0; k1 += W1;
            MulHiLo(c0, M0, out hi0, out lo0);
            MulHiLo(c2, M1, out var hi1, out var lo1);
            var n0 = hi1 ^ c1 ^ Vector256.Create(k0);
            var n2 = hi0 ^ c3 ^ Vector256.Create(k1);
            c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        }
    }

    /// <summary>The high and low 32 bits of a · m in every lane (two vpmuludq).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulHiLo(Vector256<uint> a, uint m, out Vector256<uint> hi, out Vector256<uint> lo)
    {
        var mv = Vector256.Create(m);
        var even = Avx2.Multiply(a, mv);                                           // lanes 0,2,4,6
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), mv); // lanes 1,3,5,7
        hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), OddLanes);
        lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), OddLanes);
    }

    /// <summary><see cref="Philox.RoundingSlice"/> on eight words: the rounding uniforms of slice
    /// <paramref name="p"/> at <paramref name="r"/> random bits, exact as the scalar ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundingSlice(Vector256<uint> w, int p, int r)
    {
        if (r == 32)
            return Vector256.ConvertToSingle(Vector256.ShiftRightLogical(w, 8).AsInt32()) * Vector256.Create(1.0f / 16777216.0f);
        var s = Vector256.ShiftRightLogical(w, p * r) & Vector256.Create((1u << r) - 1u);
        return Vector256.ConvertToSingle((s + s + Vector256<uint>.One).AsInt32()) * Vector256.Create(1.0f / (float)(2u << r));
    }
}
