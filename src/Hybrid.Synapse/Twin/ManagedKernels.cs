using System.Numerics;
using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Twin;

/// <summary>
/// The managed twin of every libhybrid kernel: plain scalar C#, the reference the native (and
/// CUDA) kernels are checked against. Validation mirrors the native entry points: everything
/// is checked before anything is written, so on an exception no output has changed.
/// </summary>
public static class ManagedKernels
{
    /// <summary>Encodes <paramref name="x"/> into LNS codes (byte: B ≤ 8, ushort: B ≤ 16).</summary>
    public static void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsEncode<TCode>(format, x, codes);
        RejectNonFinite(x, nameof(x));
        double log2WMax = LnsMath.Log2(format.WMax);
        for (int i = 0; i < x.Length; ++i)
            codes[i] = TCode.CreateTruncating(LnsMath.EncodeOne(x[i], format.Bits, format.Gamma, log2WMax));
    }

    /// <summary>Decodes LNS codes into <paramref name="x"/>.</summary>
    public static void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsDecode(format, codes, x);
        CheckCodes(codes, format.Bits);
        for (int i = 0; i < x.Length; ++i)
            x[i] = LnsMath.DecodeOne(uint.CreateTruncating(codes[i]), format.Bits, format.Gamma, format.WMax);
    }

    /// <summary>One LNS Madam step on <paramref name="codes"/> in place (see lns.h for the rule);
    /// <paramref name="v"/> holds <see cref="LnsMadamSettings.MomentLength"/> moments.</summary>
    public static StepStats LnsMadamStep<TCode>(in LnsMadamSettings s, Span<TCode> codes,
        ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsMadamStep<TCode>(s, codes, grad, v);
        CheckCodes<TCode>(codes, s.Format.Bits);
        if (s.NonFinite == NonFinitePolicy.Reject) RejectNonFinite(grad, nameof(grad));
        var k = MadamConsts.Make(s.Beta2, s.GBound, s.Step, s.Format.Gamma, s.Lr, s.Device.Asymmetry) with { RoundGradient = s.RoundGradient };
        bool finiteOnly = s.NonFinite != NonFinitePolicy.Propagate;
        int n = codes.Length;
        long changed = 0, nonFinite = 0;
        if (n == 0) return new StepStats(0, 0, 0);
        switch (s.Moment)
        {
            case MomentMode.PerNeuron:
                int cols = n / (int)s.Rows;
                for (int r = 0; r < s.Rows; ++r)
                {
                    float d = LnsMath.Moment(LnsMath.MeanSquare(grad.Slice(r * cols, cols), finiteOnly), ref v[r], k);
                    StepRange(s, k, codes, grad, v, d, r * cols, (r + 1) * cols, ref changed, ref nonFinite);
                }
                break;
            case MomentMode.PerTensor:
                float dt = LnsMath.Moment(LnsMath.MeanSquare(grad, finiteOnly), ref v[0], k);
                StepRange(s, k, codes, grad, v, dt, 0, n, ref changed, ref nonFinite);
                break;
            default:
                StepRange(s, k, codes, grad, v, 0f, 0, n, ref changed, ref nonFinite);
                break;
        }
        return new StepStats(n, changed, nonFinite);
    }

    private static void StepRange<TCode>(in LnsMadamSettings s, in MadamConsts k, Span<TCode> codes,
        ReadOnlySpan<float> grad, Span<float> v, float dShared, int begin, int end, ref long changed, ref long nonFinite)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        int bits = s.Format.Bits;
        bool stochastic = s.Rounding == RoundingMode.Stochastic;
        bool device = s.Device.IsOn;
        bool own = s.Moment == MomentMode.PerSynapse;
        bool propagate = s.NonFinite == NonFinitePolicy.Propagate;
        float xScale = DeviceMath.CodeXScale(bits);
        for (int i = begin; i < end; ++i)
        {
            float u = 0.5f;
            if (stochastic) u = Philox.RoundingUniform(s.Seed, s.Step, s.TensorId, s.RandomBits, (ulong)i);
            uint code = uint.CreateTruncating(codes[i]);
            var dv = DeviceLanes.One;
            if (device)
            {
                float fac = LnsMath.DeviceFactor(s.Seed, s.Step, s.TensorId, (ulong)i, s.Device.CycleToCycleNoise,
                    s.Device.DeviceToDeviceGainSd, s.Device.StuckFraction);
                dv = DeviceMath.LnsLanes(s.Device.Response, s.Device.Asymmetry, bits, xScale, s.Seed, s.TensorId, code, (ulong)i, fac);
            }
            float vi = own ? v[i] : 0f;
            uint cn = LnsMath.LnsElement(k, s.Moment, propagate, bits, code, grad[i], ref vi,
                dShared, u, dv, ref changed, ref nonFinite);
            if (own) v[i] = vi;
            codes[i] = TCode.CreateTruncating(cn);
        }
    }

    /// <summary>One float32 Madam step on <paramref name="w"/> in place (jxbz/madam semantics).</summary>
    public static StepStats MadamStep(in MadamSettings s, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        KernelContract.MadamStep(s, w, grad, v);
        if (s.NonFinite == NonFinitePolicy.Reject) RejectNonFinite(grad, nameof(grad));
        RejectNonFinite(w, nameof(w));
        var k = MadamConsts.Make(s.Beta2, s.GBound, s.Step, 1f, 0f);
        bool propagate = s.NonFinite == NonFinitePolicy.Propagate;
        long changed = 0, nonFinite = 0;
        for (int i = 0; i < w.Length; ++i)
        {
            float gi = grad[i];
            bool ok = float.IsFinite(gi);
            bool keep = !ok && !propagate;   // skip: leave the element alone
            float vi = v[i], vn = vi;
            float gh = LnsMath.Normalised(keep ? 0f : gi, ref vn, k);
            float wi = w[i];
            float sign = wi > 0f ? 1f : (wi < 0f ? -1f : 0f);
            float wn = wi * LnsMath.Expf(-s.Lr * gh * sign);   // w ← w·exp(−η·ĝ·sign(w)), the shared polynomial e^x
            wn = Math.Clamp(wn, -s.WMax, s.WMax);
            wn = keep ? wi : wn;
            v[i] = keep ? vi : vn;
            w[i] = wn;
            changed += wn != wi ? 1 : 0;
            nonFinite += ok ? 0 : 1;
        }
        return new StepStats(w.Length, changed, nonFinite);
    }

    /// <summary>Root mean square in double, summed in fixed blocks of HYB_SUM_BLOCK then in block order
    /// (the same double as the native hyb_rms_f32).</summary>
    public static double Rms(ReadOnlySpan<float> x)
    {
        if (x.Length == 0) throw new ArgumentException("RMS of an empty tensor is undefined.", nameof(x));
        RejectNonFinite(x, nameof(x));
        return Math.Sqrt(LnsMath.SumSquares(x) / x.Length);
    }

    /// <summary>The stream's uniforms for elements offset … offset + output.Length − 1.</summary>
    public static void RandomUniform(in RandomStream stream, long offset, Span<float> output)
    {
        KernelContract.RandomUniform(stream, offset, output.Length);
        for (int i = 0; i < output.Length; ++i)
        {
            ulong e = (ulong)(offset + i);
            var b = Philox.StreamBlock(stream.Seed, stream.Step, stream.TensorId, (uint)stream.Purpose, e >> 2);
            output[i] = Philox.UnitFloat(b[(int)(e & 3)]);
        }
    }

    internal static void CheckCodes<TCode>(ReadOnlySpan<TCode> codes, int bits)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        uint mask = ~((1u << bits) - 1u);
        for (int i = 0; i < codes.Length; ++i)
            if ((uint.CreateTruncating(codes[i]) & mask) != 0)
                throw new ArgumentException(
                    $"codes[{i}] = {codes[i]} has bits above bit {bits - 1} of a {bits}-bit format.", nameof(codes));
    }

    internal static void RejectNonFinite(ReadOnlySpan<float> x, string name)
    {
        for (int i = 0; i < x.Length; ++i)
            if (!float.IsFinite(x[i]))
                throw new ArgumentException($"{name}[{i}] = {x[i]} is not finite.", name);
    }
}
