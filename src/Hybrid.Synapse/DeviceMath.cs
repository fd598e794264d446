using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>A device's fixed properties: its up and down scales and the family's per-device slopes or
/// exponents (twin of hyb_device_unit).</summary>
public readonly record struct DeviceUnit(float Pot, float Dep, float Gu, float Gd);

/// <summary>The per-element device lanes of the LNS step (twin of hyb_lns_dev): the direction's scales, the device
/// factor (gain, cycle noise, stuck) and the family's response either way. All 1 without a device model.</summary>
public readonly record struct DeviceLanes(float Pot, float Dep, float Fac, float Up, float Down)
{
    /// <summary>No device model.</summary>
    public static readonly DeviceLanes One = new(1f, 1f, 1f, 1f, 1f);
}

/// <summary>
/// The element maths of the device families: the managed twin of native/src/device_math.h, line for line (only
/// IEEE operations and Hybrid's own exp2/log2, so every backend gives the same bits).
/// </summary>
public static class DeviceMath
{
    /// <summary>An Irwin–Hall normal from block <paramref name="e"/> of a purpose's stream.</summary>
    public static float Normal(ulong seed, long step, uint tensorId, HybRandomPurpose purpose, ulong e)
    {
        var r = Philox.StreamBlock(seed, step, tensorId, (uint)purpose, e);
        return LnsMath.IrwinHall4(Philox.UnitFloat(r.W0), Philox.UnitFloat(r.W1), Philox.UnitFloat(r.W2), Philox.UnitFloat(r.W3));
    }

    /// <summary>max(x, 0) as a compare and select (NaN → 0).</summary>
    public static float Pos(float x) => x > 0.0f ? x : 0.0f;

    /// <summary>|x| as a compare and select.</summary>
    public static float Abs(float x) => x < 0.0f ? -x : x;

    /// <summary>b^g for b in [0, 1], g ≥ 0 (twin of hyb_device_pow01).</summary>
    public static float Pow01(float b, float g)
    {
        if (g == 0.0f) return 1.0f;
        if (!(b > 0.0f)) return 0.0f;
        double e = (double)g * LnsMath.Log2((double)b);
        if (e < -1000.0) return 0.0f;
        return (float)LnsMath.Exp2(e);
    }

    /// <summary>The fixed properties of device <paramref name="e"/> (twin of hyb_device_unit_make).</summary>
    public static DeviceUnit Unit(in DeviceResponse r, float asymmetry, ulong seed, uint tensorId, ulong e)
    {
        float beta = asymmetry;
        if (r.UpDownDtod > 0.0f) beta = asymmetry + r.UpDownDtod * Normal(seed, 0, tensorId, HybRandomPurpose.UpDown, e);
        float pot = Pos(1.0f + beta), dep = Pos(1.0f - beta), gu = 0.0f, gd = 0.0f;
        switch (r.Family)
        {
            case DeviceFamily.LinearStep:
            {
                float u = r.GammaUp, d = r.GammaDown;
                if (r.GammaUpDtod > 0.0f) u = u + r.GammaUpDtod * Normal(seed, 0, tensorId, HybRandomPurpose.GammaUp, e);
                if (r.GammaDownDtod > 0.0f) d = d + r.GammaDownDtod * Normal(seed, 0, tensorId, HybRandomPurpose.GammaDown, e);
                gu = Abs(u);
                gd = Abs(d);
                break;
            }
            case DeviceFamily.SoftBounds:
                gu = 1.0f;
                gd = 1.0f;
                break;
            case DeviceFamily.ExpStep:
                gu = r.GammaUp;
                gd = r.GammaDown;
                break;
            case DeviceFamily.PowStep:
            {
                float b = r.PowUpDown, z = 0.0f;
                if (r.PowUpDownDtod > 0.0f) b = b + r.PowUpDownDtod * Normal(seed, 0, tensorId, HybRandomPurpose.GammaDown, e);
                if (r.PowGammaDtod > 0.0f) z = r.PowGammaDtod * Normal(seed, 0, tensorId, HybRandomPurpose.GammaUp, e);
                gu = Pos(r.PowGamma * ((1.0f + b) + z));
                gd = Pos(r.PowGamma * ((1.0f - b) + z));
                break;
            }
        }
        return new DeviceUnit(pot, dep, gu, gd);
    }

    /// <summary>The family's response f_d(x) ≥ 0 in state x between b_min &lt; b_max (twin of hyb_device_response_at).</summary>
    public static float ResponseAt(in DeviceResponse r, in DeviceUnit d, float x, float bMin, float bMax, bool up)
    {
        switch (r.Family)
        {
            case DeviceFamily.LinearStep:
            case DeviceFamily.SoftBounds:
                return up ? Pos(1.0f - d.Gu * (x / bMax)) : Pos(1.0f - d.Gd * (x / bMin));
            case DeviceFamily.ExpStep:
            {
                float z = (2.0f * r.ExpA) * x / (bMax - bMin) + r.ExpB;
                float t = up ? d.Gu * z : -(d.Gd * z);
                double lg = (double)t * LnsMath.InvLn2;
                lg = lg > 1000.0 ? 1000.0 : (lg < -1000.0 ? -1000.0 : lg);
                double y = 1.0 - (double)(up ? r.AUp : r.ADown) * LnsMath.Exp2(lg);
                return Pos((float)y);
            }
            case DeviceFamily.PowStep:
            {
                float om = (bMax - x) / (bMax - bMin);
                om = om < 0.0f ? 0.0f : (om > 1.0f ? 1.0f : om);
                return up ? Pow01(om, d.Gu) : Pow01(1.0f - om, d.Gd);
            }
            case DeviceFamily.PiecewiseStep:
            {
                var v = up ? r.PiecewiseUp : r.PiecewiseDown;
                int m = v.Count;
                if (m <= 1) return v[0];
                float p = (x - bMin) / (bMax - bMin) * (float)(m - 1);
                p = p < 0.0f ? 0.0f : (p > (float)(m - 1) ? (float)(m - 1) : p);
                int i = (int)MathF.Floor(p);
                i = i > m - 2 ? m - 2 : i;
                float q = p - (float)i;
                return Pos((1.0f - q) * v[i] + q * v[i + 1]);
            }
            default:
                return 1.0f;
        }
    }

    /// <summary>The code domain's state scale: 2 / (K − 1), 0 for K = 1 (twin of hyb_device_code_x_scale).</summary>
    public static float CodeXScale(int bits)
    {
        int last = (int)((1u << (bits - 1)) - 1u) - 1;
        return last > 0 ? (float)(2.0 / (double)last) : 0.0f;
    }

    /// <summary>The LNS step's device lanes of element <paramref name="e"/> with code <paramref name="code"/> and
    /// device factor <paramref name="fac"/> (twin of hyb_lns_device_lanes).</summary>
    public static DeviceLanes LnsLanes(in DeviceResponse r, float asymmetry, int bits, float xScale, ulong seed, uint tensorId,
        uint code, ulong e, float fac)
    {
        var d = Unit(r, asymmetry, seed, tensorId, e);
        float up = 1.0f, down = 1.0f;
        if (r.Family != DeviceFamily.Constant)
        {
            uint kmax = (1u << (bits - 1)) - 1u;
            float x = 1.0f - (float)(code & kmax) * xScale;
            up = ResponseAt(r, d, x, -1.0f, 1.0f, true);
            down = ResponseAt(r, d, x, -1.0f, 1.0f, false);
        }
        return new DeviceLanes(d.Pot, d.Dep, fac, up, down);
    }

    /// <summary>ν_i = max(0, ν·(1 + ν_dtod·z_i)) of device <paramref name="e"/>.</summary>
    public static float DriftNu(float nu, float nuDtod, ulong seed, uint tensorId, ulong e) =>
        nuDtod > 0.0f ? Pos(nu * (1.0f + nuDtod * Normal(seed, 0, tensorId, HybRandomPurpose.DriftNu, e))) : nu;

    /// <summary>log2((t + t₀)/t₀) in double (0 at t = 0).</summary>
    public static double DriftLog2(double t, double t0) => t > 0.0 ? LnsMath.Log2((t + t0) / t0) : 0.0;

    /// <summary>One LNS read's magnitude: w_max·2^(−(k + o + rn)/γ − ν·l2), rounded once (twin of hyb_lns_read_magnitude).</summary>
    public static float ReadMagnitude(int k, float o, float rn, double nuL2, float gamma, float wMax)
    {
        float kr = ((float)k + o) + rn;
        double e = -(double)kr / (double)gamma - nuL2;
        e = e > 1000.0 ? 1000.0 : (e < -1000.0 ? -1000.0 : e);
        return (float)((double)wMax * LnsMath.Exp2(e));
    }

    /// <summary>The pulse-count rounding uniform of element <paramref name="e"/>.</summary>
    public static float PulseUniform(ulong seed, long step, uint tensorId, ulong e)
    {
        var r = Philox.StreamBlock(seed, step, tensorId, (uint)HybRandomPurpose.PulseRounding, e >> 2);
        return Philox.UnitFloat(r[(int)(e & 3)]);
    }

    /// <summary>The weight domain's new hidden state after <paramref name="np"/> pulses (twin of hyb_device_weight_step).</summary>
    public static float WeightStep(in DeviceUpdateSettings c, float h, float np, bool up, ulong e)
    {
        var dm = c.Device;
        var d = Unit(dm.Response, dm.Asymmetry, c.Seed, c.TensorId, e);
        float fac = LnsMath.DeviceFactor(c.Seed, c.Step, c.TensorId, e, dm.CycleToCycleNoise, dm.DeviceToDeviceGainSd, dm.StuckFraction);
        float f = ResponseAt(dm.Response, d, h, c.WMin, c.WMax, up);
        float s = np * c.DwMin;
        s = s * (up ? d.Pot : d.Dep);
        s = s * fac;
        s = s * f;
        float hn = up ? h + s : h - s;
        hn = hn < c.WMin ? c.WMin : (hn > c.WMax ? c.WMax : hn);
        return hn;
    }

    /// <summary>A drifted weight, w·2^(−ν·l2), in double, rounded once (twin of hyb_device_drift_weight).</summary>
    public static float DriftWeight(float w, float nu, double l2)
    {
        double e = -(double)nu * l2;
        e = e < -1000.0 ? -1000.0 : e;
        return (float)((double)w * LnsMath.Exp2(e));
    }
}
