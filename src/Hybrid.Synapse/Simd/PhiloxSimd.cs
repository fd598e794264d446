using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Simd;

/// <summary>
/// Philox4x32-10 on eight counters at once (AVX2): the same function as <see cref="Philox"/>,
/// bit for bit, for eight consecutive blocks of one stream, i.e. the uniforms of 32
/// consecutive elements. Lane j of each state vector is block j; a round's two 32×32→64-bit
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
    /// The uniforms in [0, 1) of elements 4·<paramref name="block"/> … 4·block + 31 of a stream,
    /// in element order: u0 holds elements 0–7, u1 8–15, u2 16–23, u3 24–31. Blocks are below
    /// 2^32 here (spans are int-indexed), so the counter's second word is just the purpose.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Uniforms32(ulong seed, long step, uint tensorId, uint purpose, uint block,
        out Vector256<float> u0, out Vector256<float> u1, out Vector256<float> u2, out Vector256<float> u3)
    {
        Blocks8(seed, step, tensorId, purpose, block, out var c0, out var c1, out var c2, out var c3);
        // To floats first (lane-wise: exact, as Philox.UnitFloat), then the 4×8 transpose.
        var f0 = ToUnit(c0); var f1 = ToUnit(c1); var f2 = ToUnit(c2); var f3 = ToUnit(c3);
        Transpose(f0, f1, f2, f3, out u0, out u1, out u2, out u3);
    }

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

    /// <summary>(x >> 8) · 2^−24 per lane: exact, the same float as <see cref="Philox.UnitFloat"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ToUnit(Vector256<uint> x) =>
        Vector256.ConvertToSingle(Vector256.ShiftRightLogical(x, 8).AsInt32()) * Vector256.Create(1.0f / 16777216.0f);

    /// <summary>
    /// From word-major (fw lane j = word w of block j) to element-major (element 4j + w):
    /// 32-bit then 64-bit unpacks give whole blocks per 128-bit half, then the halves are paired.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<float> f0, Vector256<float> f1, Vector256<float> f2, Vector256<float> f3,
        out Vector256<float> u0, out Vector256<float> u1, out Vector256<float> u2, out Vector256<float> u3)
    {
        var t0 = Avx.UnpackLow(f0, f1);   // w0 w1 of blocks 0,1 | 4,5
        var t1 = Avx.UnpackHigh(f0, f1);  // w0 w1 of blocks 2,3 | 6,7
        var t2 = Avx.UnpackLow(f2, f3);   // w2 w3 of blocks 0,1 | 4,5
        var t3 = Avx.UnpackHigh(f2, f3);  // w2 w3 of blocks 2,3 | 6,7
        var s0 = Avx.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();   // block 0 | block 4
        var s1 = Avx.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();  // block 1 | block 5
        var s2 = Avx.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();   // block 2 | block 6
        var s3 = Avx.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();  // block 3 | block 7
        u0 = Avx.Permute2x128(s0, s1, 0x20);  // blocks 0, 1
        u1 = Avx.Permute2x128(s2, s3, 0x20);  // blocks 2, 3
        u2 = Avx.Permute2x128(s0, s1, 0x31);  // blocks 4, 5
        u3 = Avx.Permute2x128(s2, s3, 0x31);  // blocks 6, 7
    }
}
