
namespace Hybrid.Synapse.Arithmetic;

/// <summary>
/// The tables of an LNS grid every quantiser and exact GEMM works from, computed once per call
/// the same way on every backend (twin of native/src/lns_arith.h's hyb_lns_grid_fill):
/// the levels L[k] = w_max·2^(−k/γ) (exactly <see cref="LnsMath.Magnitude"/>, what codes decode to),
/// the nearest-rounding thresholds T[k] = (float)(w_max·2^(−(k+½)/γ)) between L[k] and L[k+1], and
/// T[K−1] = L[K−1]/2 between the smallest level and zero. Both tables decrease strictly, so a
/// value's place on the grid is a count of table entries above it — a pure comparison, the same
/// bits on every backend however the search is done.
/// </summary>
public static class LnsGrid
{
    /// <summary>Fills <paramref name="levels"/> and <paramref name="thresholds"/> (K = 2^(B−1) − 1 entries each).</summary>
    public static void Fill(LnsFormat f, Span<float> levels, Span<float> thresholds)
    {
        int kz = f.ZeroIndex;
        if (levels.Length != kz || thresholds.Length != kz)
            throw new ArgumentException($"an LNS grid of {f.Bits} bits has {kz} levels; got tables of {levels.Length} and {thresholds.Length}.");
        for (int k = 0; k < kz; ++k)
        {
            levels[k] = LnsMath.Magnitude(k, f.Gamma, f.WMax);
            thresholds[k] = (float)((double)f.WMax * LnsMath.Exp2(-((double)k + 0.5) / (double)f.Gamma));
        }
        thresholds[kz - 1] = levels[kz - 1] * 0.5f;
    }

    /// <summary>How many entries of the decreasing <paramref name="table"/> exceed <paramref name="a"/>
    /// (so table[c] ≤ a &lt; table[c − 1]).</summary>
    public static int CountAbove(ReadOnlySpan<float> table, float a)
    {
        int lo = 0, n = table.Length;
        while (n > 0)
        {
            int half = n >> 1;
            if (table[lo + half] > a) { lo += half + 1; n -= half + 1; }
            else n = half;
        }
        return lo;
    }

    /// <summary>
    /// One finite value onto the grid (twin of hyb_lns_quantize_one): the magnitude index k in [0, K]
    /// (K = zero) for nearest or stochastic rounding with uniform <paramref name="u"/> in [0, 1).
    /// </summary>
    public static int QuantizeIndex(float x, float u, bool stochastic, ReadOnlySpan<float> levels, ReadOnlySpan<float> thresholds)
    {
        int kz = levels.Length;
        if (x == 0f) return kz;
        float a = x < 0f ? -x : x;
        if (!stochastic) return CountAbove(thresholds, a);
        int c = CountAbove(levels, a);
        if (c == 0) return 0;
        float hi = levels[c - 1], lo = c == kz ? 0f : levels[c];
        float p = (a - lo) / (hi - lo);
        return u < p ? c - 1 : c;
    }
}
