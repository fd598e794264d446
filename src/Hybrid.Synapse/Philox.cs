using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>Four 32-bit words: one Philox block.</summary>
public readonly record struct PhiloxBlock(uint W0, uint W1, uint W2, uint W3)
{
    /// <summary>Word <paramref name="lane"/> (0..3).</summary>
    public uint this[int lane] => lane switch { 0 => W0, 1 => W1, 2 => W2, _ => W3 };
}

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
/// SC 2011; the Random123 library) and Hybrid's stream layout on top of it — the managed twin
/// of native/src/philox.h, bit for bit. See native/include/hybrid/random.h for the layout.
/// </summary>
public static class Philox
{
    private const uint M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    private const uint W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;

    /// <summary>Ten Philox rounds on counter (c0..c3) with key (k0, k1).</summary>
    public static PhiloxBlock Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int r = 0; r < 10; ++r)
        {
            if (r > 0) { k0 += W0; k1 += W1; }
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c0 = n0; c1 = (uint)p1; c2 = n2; c3 = (uint)p0;
        }
        return new PhiloxBlock(c0, c1, c2, c3);
    }

    /// <summary>The block holding elements 4·block … 4·block+3 of a stream.</summary>
    public static PhiloxBlock StreamBlock(ulong seed, long step, uint tensorId, uint purpose, ulong block) =>
        Block((uint)block, ((uint)(block >> 32) & 0x00FFFFFFu) | (purpose << 24), (uint)(ulong)step,
              tensorId, (uint)seed, (uint)(seed >> 32));

    /// <summary>A word to a uniform in [0, 1): its top 24 bits times 2^-24 (exact).</summary>
    public static float UnitFloat(uint x) => (x >> 8) * (1.0f / 16777216.0f);

    /// <summary>Elements one block serves in stochastic rounding at <paramref name="r"/> random bits: 4·⌊32/r⌋.</summary>
    public static int RoundingPerBlock(int r) => 4 * (32 / r);

    /// <summary>The rounding uniform of slice <paramref name="p"/> of word <paramref name="w"/>: (s + ½)·2^−r with
    /// s = bits [p·r, p·r + r) of w for r ≤ 16 (exact in float); the word's 24-bit uniform for r = 32.</summary>
    public static float RoundingSlice(uint w, int p, int r)
    {
        if (r == 32) return UnitFloat(w);
        uint s = (w >> (p * r)) & ((1u << r) - 1u);
        return (float)(2u * s + 1u) * (1.0f / (float)(2u << r));
    }

    /// <summary>The stochastic-rounding uniform of element <paramref name="i"/> (hybrid/random.h's striped
    /// layout: stripes of HYB_RANDOM_STRIPE blocks, S consecutive elements from S consecutive blocks).</summary>
    public static float RoundingUniform(ulong seed, long step, uint tensorId, int r, ulong i)
    {
        const ulong stripe = HybridConstants.HYB_RANDOM_STRIPE;
        ulong e = (ulong)RoundingPerBlock(r), se = stripe * e, t = i % se;
        ulong block = i / se * stripe + t % stripe;
        int slot = (int)(t / stripe);
        var b = StreamBlock(seed, step, tensorId, (uint)HybRandomPurpose.Rounding, block);
        return RoundingSlice(b[slot & 3], slot >> 2, r);
    }
}
