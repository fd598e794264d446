using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>
/// An analog synapse device, after IBM aihwkit's pulsed devices; all 0 = off = the plain (digital) synapse, bit
/// for bit. The four positional options perturb every step (aihwkit's dw_min_std, dw_min_dtod, up_down and a
/// corrupt-device fraction); <see cref="Response"/> makes the step depend on the device's state (a device family);
/// <see cref="WriteNoiseStd"/>, <see cref="ReadNoiseStd"/> and <see cref="Drift"/> act when the device is
/// programmed, read and left alone. Every draw comes from the Philox stream keyed by the seed, so a run repeats
/// exactly on every backend. Formulas: native/include/hybrid/lns.h, device_response.h, device.h; docs/devices.md.
/// </summary>
/// <param name="CycleToCycleNoise">Relative sd of each step, per step (aihwkit dw_min_std, multiplicative), in [0, 10].</param>
/// <param name="DeviceToDeviceGainSd">Relative sd of each device's fixed step gain (aihwkit dw_min_dtod), in [0, 10].</param>
/// <param name="Asymmetry">Potentiation steps scaled by 1 + a, depression by 1 − a (aihwkit up_down); a in (−1, 1).</param>
/// <param name="StuckFraction">Fraction of devices that never move, in [0, 1].</param>
public readonly record struct DeviceModel(float CycleToCycleNoise = 0f, float DeviceToDeviceGainSd = 0f,
    float Asymmetry = 0f, float StuckFraction = 0f)
{
    /// <summary>The ideal device: no noise, no spread, symmetric, nothing stuck, a constant step.</summary>
    public static readonly DeviceModel Ideal = new();

    /// <summary>The device family (state-dependent step) and the asymmetry's device-to-device spread.</summary>
    public DeviceResponse Response { get; init; }

    /// <summary>Write noise sd per programming event, in units of one pulse's step (aihwkit write_noise_std;
    /// code levels for an LNS synapse), in [0, 10]: the weight the forward pass sees is the programmed state plus
    /// this noise, drawn anew whenever the device is programmed.</summary>
    public float WriteNoiseStd { get; init; }

    /// <summary>Read noise sd per read, in units of one pulse's step (code levels for an LNS synapse), in [0, 10]:
    /// drawn for every forward pass, never stored.</summary>
    public float ReadNoiseStd { get; init; }

    /// <summary>Conductance drift after programming (used by a drift evaluation).</summary>
    public DriftModel Drift { get; init; }

    /// <summary>Whether any option changes the update step itself (the step kernels' device path).</summary>
    public bool IsOn => CycleToCycleNoise > 0f || DeviceToDeviceGainSd > 0f || Asymmetry != 0f || StuckFraction > 0f || Response.IsOn;

    /// <summary>Whether the synapse is an analog device at all: a step option, write or read noise, or drift. Its
    /// programming events and pulses are then counted.</summary>
    public bool IsAnalog => IsOn || WriteNoiseStd > 0f || ReadNoiseStd > 0f || Drift.IsOn;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        const int maxSd = HybridConstants.HYB_DEVICE_MAX_SD;
        if (!(CycleToCycleNoise >= 0f && CycleToCycleNoise <= maxSd))
            throw new ArgumentException($"cycle-to-cycle noise (c2c_noise) = {CycleToCycleNoise} is outside [0, {maxSd}].", nameof(CycleToCycleNoise));
        if (!(DeviceToDeviceGainSd >= 0f && DeviceToDeviceGainSd <= maxSd))
            throw new ArgumentException($"device-to-device gain sd (d2d_gain_sd) = {DeviceToDeviceGainSd} is outside [0, {maxSd}].", nameof(DeviceToDeviceGainSd));
        if (!(Asymmetry > -1f && Asymmetry < 1f))
            throw new ArgumentException($"asymmetry = {Asymmetry} is outside (-1, 1).", nameof(Asymmetry));
        if (!(StuckFraction >= 0f && StuckFraction <= 1f))
            throw new ArgumentException($"stuck_fraction = {StuckFraction} is outside [0, 1].", nameof(StuckFraction));
        Response.Validate();
        if (!(WriteNoiseStd >= 0f && WriteNoiseStd <= maxSd))
            throw new ArgumentException($"write_noise_std = {WriteNoiseStd} is outside [0, {maxSd}].", nameof(WriteNoiseStd));
        if (!(ReadNoiseStd >= 0f && ReadNoiseStd <= maxSd))
            throw new ArgumentException($"read_noise_std = {ReadNoiseStd} is outside [0, {maxSd}].", nameof(ReadNoiseStd));
        Drift.Validate();
    }
}

/// <summary>
/// Power-law conductance drift after programming, aihwkit's PCM drift model: g(t) = g₀·((t + t₀)/t₀)^(−ν), with
/// each device's exponent ν_i = max(0, ν·(1 + ν_dtod·z_i)) fixed for life (aihwkit DriftParameter nu, nu_dtod,
/// t_0; t₀ = 20 s as its PCMLikeNoiseModel). t counts seconds since the end of programming.
/// </summary>
/// <param name="Nu">Mean drift exponent ν, in [0, 1] (0: no drift; measured PCM ν ≈ 0.05–0.1).</param>
/// <param name="NuDtod">Relative device-to-device sd of ν, in [0, 10].</param>
/// <param name="T0">t₀ in seconds, finite, > 0.</param>
public readonly record struct DriftModel(float Nu = 0f, float NuDtod = 0f, double T0 = DriftModel.DefaultT0)
{
    /// <summary>aihwkit PCMLikeNoiseModel's t_0: 20 s from programming to the first read.</summary>
    public const double DefaultT0 = 20.0;

    /// <summary>No drift.</summary>
    public static readonly DriftModel None = new();

    /// <summary>Whether the weights drift.</summary>
    public bool IsOn => Nu > 0f;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range (default(DriftModel)'s
    /// t₀ = 0 counts as the default 20 s).</summary>
    public void Validate()
    {
        if (!(Nu >= 0f && Nu <= 1f)) throw new ArgumentException($"drift nu = {Nu} is outside [0, 1].", nameof(Nu));
        if (!(NuDtod >= 0f && NuDtod <= HybridConstants.HYB_DEVICE_MAX_SD))
            throw new ArgumentException($"drift nu_dtod = {NuDtod} is outside [0, {HybridConstants.HYB_DEVICE_MAX_SD}].", nameof(NuDtod));
        if (!(EffectiveT0 > 0) || !double.IsFinite(EffectiveT0))
            throw new ArgumentException($"drift t0 = {T0} s must be finite and > 0.", nameof(T0));
    }

    /// <summary>t₀, with default(DriftModel)'s 0 read as <see cref="DefaultT0"/>.</summary>
    public double EffectiveT0 => T0 == 0 ? DefaultT0 : T0;
}
