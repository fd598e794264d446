using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// The one mapping between the synapse layer's settings and libhybrid's blittable structs
/// (hybrid/lns.h, madam.h, random.h), used by the native CPU and CUDA backends alike (and by
/// benchmarks that time the raw binding).
/// </summary>
public static class InteropMapping
{
    /// <summary>The interop form (or back).</summary>
    public static HybLnsFormat ToNative(LnsFormat f) => new() { Bits = f.Bits, Gamma = f.Gamma, WMax = f.WMax };

    /// <summary>The interop form (or back).</summary>
    public static HybLnsMadamConfig ToNative(in LnsMadamSettings s) => new()
    {
        Format = ToNative(s.Format), Lr = s.Lr, Beta2 = s.Beta2, GBound = s.GBound,
        Rounding = (HybRounding)s.Rounding, Nonfinite = (HybNonfinitePolicy)s.NonFinite,
        TensorId = s.TensorId, Step = s.Step, Seed = s.Seed, Moment = (HybMomentMode)s.Moment,
        C2cNoise = s.Device.CycleToCycleNoise, D2dGainSd = s.Device.DeviceToDeviceGainSd,
        Asymmetry = s.Device.Asymmetry, StuckFraction = s.Device.StuckFraction, RandomBits = s.RandomBits,
        Rows = s.Moment == MomentMode.PerNeuron ? s.Rows : 0, RoundGradient = s.RoundGradient ? 1 : 0,
        Response = ToNative(s.Device.Response),
    };

    /// <summary>The interop form (or back).</summary>
    public static unsafe HybDeviceResponse ToNative(in DeviceResponse r)
    {
        var n = new HybDeviceResponse
        {
            Family = (HybDeviceFamily)r.Family, GammaUp = r.GammaUp, GammaDown = r.GammaDown, GammaUpDtod = r.GammaUpDtod,
            GammaDownDtod = r.GammaDownDtod, AUp = r.AUp, ADown = r.ADown, ExpA = r.ExpA, ExpB = r.ExpB, PowGamma = r.PowGamma,
            PowGammaDtod = r.PowGammaDtod, PowUpDown = r.PowUpDown, PowUpDownDtod = r.PowUpDownDtod, UpDownDtod = r.UpDownDtod,
            Nodes = r.Family == DeviceFamily.PiecewiseStep ? r.PiecewiseUp.Count : 0,
        };
        // a table longer than the fixed buffer is refused by validation first; copy what fits
        for (int i = 0; i < Math.Min(r.PiecewiseUp.Count, NodeTable.MaxNodes); ++i) n.PiecewiseUp[i] = r.PiecewiseUp[i];
        for (int i = 0; i < Math.Min(r.PiecewiseDown.Count, NodeTable.MaxNodes); ++i) n.PiecewiseDown[i] = r.PiecewiseDown[i];
        return n;
    }

    /// <summary>The interop form (or back).</summary>
    public static HybLnsProgramConfig ToNative(in LnsProgramSettings s) => new()
    {
        Bits = s.Bits, WriteNoiseStd = s.WriteNoiseStd, Seed = s.Seed, Step = s.Step, TensorId = s.TensorId,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybLnsReadConfig ToNative(in LnsReadSettings s) => new()
    {
        Format = ToNative(s.Format), Seed = s.Seed, Read = s.Read, TensorId = s.TensorId, ReadNoiseStd = s.ReadNoiseStd,
        DriftNu = s.Drift.Nu, DriftNuDtod = s.Drift.NuDtod, DriftTime = s.DriftTime, DriftT0 = s.Drift.EffectiveT0,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybDeviceUpdateConfig ToNative(in DeviceUpdateSettings s) => new()
    {
        Response = ToNative(s.Device.Response), Seed = s.Seed, Step = s.Step, TensorId = s.TensorId, Rounding = (HybRounding)s.Rounding,
        Scale = s.Scale, DwMin = s.DwMin, WMin = s.WMin, WMax = s.WMax, C2cNoise = s.Device.CycleToCycleNoise,
        D2dGainSd = s.Device.DeviceToDeviceGainSd, Asymmetry = s.Device.Asymmetry, StuckFraction = s.Device.StuckFraction,
        WriteNoiseStd = s.Device.WriteNoiseStd,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybDeviceReadConfig ToNative(in DeviceReadSettings s) => new()
    {
        Seed = s.Seed, Read = s.Read, TensorId = s.TensorId, ReadNoise = s.ReadNoise, DriftNu = s.Drift.Nu, DriftNuDtod = s.Drift.NuDtod,
        DriftTime = s.DriftTime, DriftT0 = s.Drift.EffectiveT0,
    };

    /// <summary>The interop form (or back).</summary>
    public static ProgramStats FromNative(HybProgramStats s) => new(s.Elements, s.Programmed, s.Pulses);

    /// <summary>The interop form (or back).</summary>
    public static HybMadamConfig ToNative(in MadamSettings s) => new()
    {
        Lr = s.Lr, Beta2 = s.Beta2, GBound = s.GBound, WMax = s.WMax,
        Nonfinite = (HybNonfinitePolicy)s.NonFinite, Step = s.Step,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybRandomStream ToNative(in RandomStream s) => new()
    {
        Seed = s.Seed, Step = s.Step, TensorId = s.TensorId, Purpose = (HybRandomPurpose)s.Purpose,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybLnsQuantizeConfig ToNative(in Arithmetic.LnsQuantizeSettings s) => new()
    {
        Format = ToNative(s.Format), Rounding = (HybRounding)s.Rounding, Nonfinite = (HybNonfinitePolicy)s.NonFinite,
        TensorId = s.TensorId, Step = s.Step, Seed = s.Seed,
    };

    /// <summary>The interop form (or back).</summary>
    public static HybLnsGemmConfig ToNative(in Arithmetic.LnsGemmSettings s) => new()
    {
        A = ToNative(s.A), B = ToNative(s.B), M = s.M, K = s.K, N = s.N, AccBits = s.AccumulatorBits, FracBits = s.FractionBits,
        ATransposed = s.ATransposed ? 1 : 0, BTransposed = s.BTransposed ? 1 : 0,
    };

    /// <summary>The interop form (or back).</summary>
    public static Arithmetic.QuantizeStats FromNative(HybQuantizeStats s) => new(s.Elements, s.Saturated, s.Underflowed, s.Nonfinite);

    /// <summary>The interop form (or back).</summary>
    public static Arithmetic.GemmStats FromNative(HybGemmStats s) => new(s.Macs, s.Saturations, s.Truncated,
        s.SimdLevel < 0 ? "native-cuda" : $"native-cpu {((HybSimdLevel)s.SimdLevel).ToString().ToLowerInvariant()}");

    /// <summary>The interop form (or back).</summary>
    public static StepStats FromNative(HybStepStats s) => new(s.Elements, s.Changed, s.NonfiniteSkipped);
}
