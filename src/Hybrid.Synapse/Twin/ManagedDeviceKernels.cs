using System.Numerics;
using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Twin;

/// <summary>
/// The managed twin of libhybrid's device kernels (native/src/device.c, hybrid/device.h): plain scalar C#, the
/// reference the native kernels are checked against. Everything is checked before anything is written.
/// </summary>
public static class ManagedDeviceKernels
{
    /// <summary>The programming events of an LNS step: codes that changed from <paramref name="before"/> to
    /// <paramref name="after"/>, their pulses |Δk| and, with write noise, fresh offsets (the rest left as they are).
    /// <paramref name="offsets"/> may be empty when the write noise is 0.</summary>
    public static ProgramStats LnsProgram<TCode>(in LnsProgramSettings s, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        DeviceContract.LnsProgram(s, before, after, offsets);
        ManagedKernels.CheckCodes(before, s.Bits);
        ManagedKernels.CheckCodes(after, s.Bits);
        uint kmax = (1u << (s.Bits - 1)) - 1u;
        bool noisy = s.WriteNoiseStd > 0f && offsets.Length > 0;
        long programmed = 0, pulses = 0;
        for (int i = 0; i < before.Length; ++i)
        {
            uint c0 = uint.CreateTruncating(before[i]), c1 = uint.CreateTruncating(after[i]);
            if (c0 == c1) continue;
            int k0 = (int)(c0 & kmax), k1 = (int)(c1 & kmax);
            programmed += 1;
            pulses += k1 > k0 ? k1 - k0 : k0 - k1;
            if (noisy) offsets[i] = s.WriteNoiseStd * DeviceMath.Normal(s.Seed, s.Step, s.TensorId, HybRandomPurpose.WriteNoise, (ulong)i);
        }
        return new ProgramStats(before.Length, programmed, pulses);
    }

    /// <summary>Reads LNS codes into <paramref name="x"/> with write offsets (empty: none), read noise and drift.</summary>
    public static void LnsRead<TCode>(in LnsReadSettings s, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        DeviceContract.LnsRead(s, codes, offsets, x);
        ManagedKernels.CheckCodes(codes, s.Format.Bits);
        ManagedKernels.RejectNonFinite(offsets, nameof(offsets));
        int bits = s.Format.Bits;
        uint kmax = (1u << (bits - 1)) - 1u;
        double l2 = DeviceMath.DriftLog2(s.DriftTime, s.Drift.EffectiveT0);
        bool drift = s.Drift.Nu > 0f && l2 > 0.0;
        for (int i = 0; i < codes.Length; ++i)
        {
            uint code = uint.CreateTruncating(codes[i]);
            uint k = code & kmax;
            if (k == kmax)
            {
                x[i] = 0.0f;
                continue;
            }
            float o = offsets.Length > 0 ? offsets[i] : 0.0f;
            float rn = s.ReadNoiseStd > 0f
                ? s.ReadNoiseStd * DeviceMath.Normal(s.Seed, s.Read, s.TensorId, HybRandomPurpose.ReadNoise, (ulong)i)
                : 0.0f;
            double nl = drift ? (double)DeviceMath.DriftNu(s.Drift.Nu, s.Drift.NuDtod, s.Seed, s.TensorId, (ulong)i) * l2 : 0.0;
            float m = DeviceMath.ReadMagnitude((int)k, o, rn, nl, s.Format.Gamma, s.Format.WMax);
            x[i] = (code >> (bits - 1)) != 0 ? -m : m;
        }
    }

    /// <summary>One programming step in the weight domain: <paramref name="hidden"/> (device units) and
    /// <paramref name="apparent"/> (weight units) updated in place from the proposed update <paramref name="dw"/>.</summary>
    public static ProgramStats DeviceUpdate(in DeviceUpdateSettings s, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw)
    {
        DeviceContract.DeviceUpdate(s, hidden, apparent, dw);
        ManagedKernels.RejectNonFinite(dw, nameof(dw));
        ManagedKernels.RejectNonFinite(hidden, nameof(hidden));
        bool stochastic = s.Rounding == RoundingMode.Stochastic;
        float wn = s.Device.WriteNoiseStd * s.DwMin;
        long programmed = 0, pulses = 0;
        if (s.Step == 0)
        {
            for (int i = 0; i < dw.Length; ++i)
                if (dw[i] != 0f)
                    throw new ArgumentException($"dw[{i}] = {dw[i]} at step 0 (the initial programming takes no update).", nameof(dw));
            for (int i = 0; i < dw.Length; ++i)
            {
                float h = hidden[i];
                float ha = wn > 0.0f ? h + wn * DeviceMath.Normal(s.Seed, 0, s.TensorId, HybRandomPurpose.WriteNoise, (ulong)i) : h;
                apparent[i] = ha * s.Scale;
            }
            return new ProgramStats(dw.Length, dw.Length, 0);
        }
        for (int i = 0; i < dw.Length; ++i)
        {
            float du = dw[i] / s.Scale;
            float a = (du < 0.0f ? -du : du) / s.DwMin;
            float np = MathF.Floor(a + (stochastic ? DeviceMath.PulseUniform(s.Seed, s.Step, s.TensorId, (ulong)i) : 0.5f));
            np = np > (float)HybridConstants.HYB_DEVICE_MAX_PULSES ? (float)HybridConstants.HYB_DEVICE_MAX_PULSES : np;
            if (!(np > 0.0f)) continue;
            float h = hidden[i];
            float hn = DeviceMath.WeightStep(s, h, np, du > 0.0f, (ulong)i);
            if (hn == h) continue;
            programmed += 1;
            pulses += (long)np;
            hidden[i] = hn;
            float ha = wn > 0.0f ? hn + wn * DeviceMath.Normal(s.Seed, s.Step, s.TensorId, HybRandomPurpose.WriteNoise, (ulong)i) : hn;
            apparent[i] = ha * s.Scale;
        }
        return new ProgramStats(dw.Length, programmed, pulses);
    }

    /// <summary>Reads float device weights with drift and read noise.</summary>
    public static void DeviceRead(in DeviceReadSettings s, ReadOnlySpan<float> w, Span<float> output)
    {
        DeviceContract.DeviceRead(s, w, output);
        ManagedKernels.RejectNonFinite(w, nameof(w));
        double l2 = DeviceMath.DriftLog2(s.DriftTime, s.Drift.EffectiveT0);
        bool drift = s.Drift.Nu > 0f && l2 > 0.0;
        for (int i = 0; i < w.Length; ++i)
        {
            float y = w[i];
            if (drift) y = DeviceMath.DriftWeight(y, DeviceMath.DriftNu(s.Drift.Nu, s.Drift.NuDtod, s.Seed, s.TensorId, (ulong)i), l2);
            if (s.ReadNoise > 0f) y = y + s.ReadNoise * DeviceMath.Normal(s.Seed, s.Read, s.TensorId, HybRandomPurpose.ReadNoise, (ulong)i);
            output[i] = y;
        }
    }
}
