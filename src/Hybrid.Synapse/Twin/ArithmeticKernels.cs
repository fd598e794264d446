using System.Numerics;
using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Twin;

/// <summary>
/// The managed twin of libhybrid's LNS arithmetic (native/include/hybrid/lns_arith.h): the
/// quantiser and the exact GEMM, plain scalar C#, the reference every backend is checked against
/// bit for bit. Everything is validated before anything is written.
/// </summary>
public static class ArithmeticKernels
{
    /// <summary>Quantises <paramref name="x"/> onto the LNS grid into <paramref name="y"/> (which may be
    /// <paramref name="x"/> itself); see <see cref="LnsQuantizeSettings"/> for the rule.</summary>
    /// <exception cref="ArgumentException">Bad settings or buffers, or a non-finite x under the reject policy; nothing written.</exception>
    public static QuantizeStats LnsQuantize(in LnsQuantizeSettings s, ReadOnlySpan<float> x, Span<float> y)
    {
        KernelContract.LnsQuantize(s, x, y);
        if (s.NonFinite == NonFinitePolicy.Reject) ManagedKernels.RejectNonFinite(x, nameof(x));
        int kz = s.Format.ZeroIndex;
        var levels = new float[kz];
        var thresholds = new float[kz];
        LnsGrid.Fill(s.Format, levels, thresholds);
        bool stochastic = s.Rounding == RoundingMode.Stochastic;
        long saturated = 0, underflowed = 0, nonFinite = 0;
        for (int i = 0; i < x.Length; ++i)
        {
            float xi = x[i];
            if (!float.IsFinite(xi))
            {
                y[i] = xi;
                nonFinite++;
                continue;
            }
            float u = stochastic
                ? Philox.UnitFloat(Philox.StreamBlock(s.Seed, s.Step, s.TensorId, LnsQuantizeSettings.RandomPurpose, (ulong)(i >> 2))[i & 3])
                : 0f;
            int k = LnsGrid.QuantizeIndex(xi, u, stochastic, levels, thresholds);
            float m = k == kz ? 0f : levels[k];
            saturated += (xi > levels[0] || xi < -levels[0]) ? 1 : 0;
            underflowed += (k == kz && xi != 0f) ? 1 : 0;
            y[i] = k == kz ? 0f : (xi < 0f ? -m : m);
        }
        return new QuantizeStats(x.Length, saturated, underflowed, nonFinite);
    }

    /// <summary>
    /// <see cref="LnsQuantize"/> that also writes each result's code in the quantiser's format: the LNS
    /// encoding of y (the zero code for 0, and for a non-finite x skipped). <paramref name="y"/> may be empty
    /// (codes only) or <paramref name="x"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">Bad settings or buffers; nothing written.</exception>
    public static QuantizeStats LnsQuantizeEncode<TCode>(in LnsQuantizeSettings s, ReadOnlySpan<float> x, Span<float> y,
        Span<TCode> codes) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsQuantizeEncode(s, x, y, codes);
        var q = y.IsEmpty && !x.IsEmpty ? new float[x.Length] : null;
        Span<float> grid = q ?? y;
        var stats = LnsQuantize(s, x, grid);
        var finite = new float[x.Length];
        for (int i = 0; i < x.Length; ++i) finite[i] = float.IsFinite(grid[i]) ? grid[i] : 0f;
        ManagedKernels.LnsEncode(s.Format, finite, codes);
        return stats;
    }

    /// <summary>The exact LNS GEMM C = A·B (codes in the layouts of <see cref="LnsGemmSettings"/>, which also gives the datapath).</summary>
    /// <exception cref="ArgumentException">Bad settings, shapes, buffers or codes; nothing written.</exception>
    public static GemmStats LnsGemmExact<TCode>(in LnsGemmSettings s, ReadOnlySpan<TCode> a, ReadOnlySpan<TCode> b, Span<float> c)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsGemmExact(s, a, b, c);
        CheckCodes(a, s.A.Bits, "a");
        CheckCodes(b, s.B.Bits, "b");
        int gamma = s.Buckets, shift = BitOperations.Log2((uint)gamma), f = s.FractionBits;
        uint zeroA = (uint)s.A.ZeroIndex, zeroB = (uint)s.B.ZeroIndex;
        long max = (1L << (s.AccumulatorBits - 1)) - 1, min = -(1L << (s.AccumulatorBits - 1));
        var scale = BucketScales(gamma);
        double outScale = (double)s.A.WMax * (double)s.B.WMax;
        var acc = new long[gamma];
        long saturations = 0, truncated = 0;
        for (int m = 0; m < s.M; ++m)
        for (int n = 0; n < s.N; ++n)
        {
            Array.Clear(acc);
            for (int k = 0; k < s.K; ++k)
            {
                uint ca = uint.CreateTruncating(a[s.AIndex(m, k)]), cb = uint.CreateTruncating(b[s.BIndex(k, n)]);
                uint ka = ca & zeroA, kb = cb & zeroB;
                if (ka == zeroA || kb == zeroB) continue;          // a zero operand: no product
                int e = (int)(ka + kb);                             // exponent add
                int q = e >> shift, r = e & (gamma - 1);            // shift and remainder bucket
                if (q > f) { truncated++; continue; }               // below one accumulator unit
                long v = 1L << (f - q);
                if ((((ca >> (s.A.Bits - 1)) ^ (cb >> (s.B.Bits - 1))) & 1u) != 0) v = -v;  // sign XOR
                long t = acc[r] + v;
                if (t > max) { t = max; saturations++; }
                else if (t < min) { t = min; saturations++; }
                acc[r] = t;
            }
            c[m * s.N + n] = BucketsToFloat(acc, scale, f, outScale);
        }
        return new GemmStats(s.Macs, saturations, truncated, "managed");
    }

    private static void CheckCodes<TCode>(ReadOnlySpan<TCode> codes, int bits, string name)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        uint mask = ~((1u << bits) - 1u);
        for (int i = 0; i < codes.Length; ++i)
            if ((uint.CreateTruncating(codes[i]) & mask) != 0)
                throw new ArgumentException($"{name}[{i}] = {codes[i]} has bits above bit {bits - 1} of a {bits}-bit format.", name);
    }

    /// <summary>The constants 2^(−r/γ), r = 0 … γ−1, in double (twin of the native table).</summary>
    public static double[] BucketScales(int gamma)
    {
        var scale = new double[gamma];
        for (int r = 0; r < gamma; ++r) scale[r] = LnsMath.Exp2(-(double)r / (double)gamma);
        return scale;
    }

    /// <summary>Σ_r acc_r·2^(−r/γ) (r ascending, double), times 2^(−F), times s_A·s_B, rounded to float.</summary>
    public static float BucketsToFloat(ReadOnlySpan<long> acc, ReadOnlySpan<double> scale, int fractionBits, double outScale)
    {
        double t = 0.0;
        for (int r = 0; r < acc.Length; ++r) t = t + (double)acc[r] * scale[r];
        t = t * LnsMath.Pow2I(-fractionBits);
        return (float)(t * outScale);
    }
}
