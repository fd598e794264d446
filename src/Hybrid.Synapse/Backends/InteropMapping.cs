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
    };

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
