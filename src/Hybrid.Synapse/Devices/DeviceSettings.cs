using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>What programming did: the stored states that changed and the pulses that changed them.</summary>
/// <param name="Elements">Elements in the tensor.</param>
/// <param name="Programmed">Programming events: elements whose stored state changed.</param>
/// <param name="Pulses">Code domain: Σ|k_after − k_before|; weight domain: the pulses of the programmed elements.</param>
public readonly record struct ProgramStats(long Elements, long Programmed, long Pulses);

/// <summary>
/// The programming events of one LNS step (hybrid/device.h, hyb_lns_program_config): every code that changed is
/// one event of |Δk| pulses and, with write noise, takes a fresh write offset o = σ_w·z in code levels.
/// </summary>
/// <param name="Bits">The codes' B.</param>
/// <param name="WriteNoiseStd">Write noise sd in code levels, in [0, 10].</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Step">The step that programmed (0: the initial programming).</param>
/// <param name="TensorId">The tensor's sub-stream.</param>
public readonly record struct LnsProgramSettings(int Bits, float WriteNoiseStd, ulong Seed, long Step, uint TensorId)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting (the C rules).</summary>
    public void Validate(int codeBytes)
    {
        int max = codeBytes == 1 ? 8 : LnsFormat.MaxBits;
        if (Bits < LnsFormat.MinBits || Bits > max)
            throw new ArgumentException($"LNS bits = {Bits} is outside [{LnsFormat.MinBits}, {max}] for {(codeBytes == 1 ? "uint8" : "uint16")} codes.", nameof(Bits));
        DeviceChecks.Sd("write_noise_std", WriteNoiseStd);
        if (Step < 0) throw new ArgumentException($"step = {Step} must be >= 0.", nameof(Step));
    }
}

/// <summary>
/// How an LNS tensor is read (hybrid/device.h, hyb_lns_read_config): kr = k + o + σ_r·z per read, then
/// |w| = w_max·2^(−kr/γ)·((t + t₀)/t₀)^(−ν_i). With no offsets, noise or drift it is the decode, bit for bit.
/// </summary>
/// <param name="Format">The codes' format.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Read">Which read (the read noise's counter), ≥ 0.</param>
/// <param name="TensorId">The tensor's sub-stream.</param>
/// <param name="ReadNoiseStd">Read noise sd in code levels, in [0, 10].</param>
/// <param name="Drift">Drift exponent ν, its spread and t₀.</param>
/// <param name="DriftTime">Seconds since programming, finite, ≥ 0.</param>
public readonly record struct LnsReadSettings(LnsFormat Format, ulong Seed, long Read, uint TensorId, float ReadNoiseStd = 0f,
    DriftModel Drift = default, double DriftTime = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate(int codeBytes)
    {
        Format.Validate(codeBytes);
        if (Read < 0) throw new ArgumentException($"read = {Read} must be >= 0.", nameof(Read));
        DeviceChecks.Sd("read_noise_std", ReadNoiseStd);
        Drift.Validate();
        DeviceChecks.Time(DriftTime);
    }
}

/// <summary>
/// One programming step of float weights on a device (the weight domain; hybrid/device.h, hyb_device_update_config):
/// the device's response applied to the update a float optimiser proposes. Weights are mapped to device units by
/// u = w / <paramref name="Scale"/>; a step of |Δu|/dw_min pulses (rounded) moves u by the family's response at u,
/// within the hard bounds [w_min, w_max].
/// </summary>
/// <param name="Device">The device (its step options, response and write noise; read noise and drift act elsewhere).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Step">t ≥ 1; 0 is the initial programming (every device programmed to its hidden state, with write
/// noise; the update must be all zero).</param>
/// <param name="TensorId">The tensor's sub-stream.</param>
/// <param name="Scale">Weight units per device unit, finite, &gt; 0.</param>
/// <param name="DwMin">One pulse's step in device units (aihwkit dw_min, 0.001).</param>
/// <param name="WMin">Lower bound in device units (aihwkit w_min, −0.6).</param>
/// <param name="WMax">Upper bound in device units (aihwkit w_max, 0.6).</param>
/// <param name="Rounding">Of the pulse count: stochastic (unbiased, the default) or nearest.</param>
public readonly record struct DeviceUpdateSettings(DeviceModel Device, ulong Seed, long Step, uint TensorId, float Scale,
    float DwMin = DeviceUpdateSettings.DefaultDwMin, float WMin = -DeviceUpdateSettings.DefaultWMax,
    float WMax = DeviceUpdateSettings.DefaultWMax, RoundingMode Rounding = RoundingMode.Stochastic)
{
    /// <summary>aihwkit's dw_min.</summary>
    public const float DefaultDwMin = 0.001f;
    /// <summary>aihwkit's w_max (and −w_min).</summary>
    public const float DefaultWMax = 0.6f;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting (the C rules).</summary>
    public void Validate()
    {
        Device.Validate();
        if (Step < 0) throw new ArgumentException($"step = {Step} must be >= 0 (0: the initial programming).", nameof(Step));
        if (Rounding is not (RoundingMode.Nearest or RoundingMode.Stochastic))
            throw new ArgumentException($"rounding mode {(int)Rounding} is unknown.", nameof(Rounding));
        if (!(Scale > 0f) || !float.IsFinite(Scale)) throw new ArgumentException($"scale = {Scale} must be finite and > 0.", nameof(Scale));
        if (!(DwMin > 0f) || !float.IsFinite(DwMin)) throw new ArgumentException($"dw_min = {DwMin} must be finite and > 0.", nameof(DwMin));
        if (!float.IsFinite(WMin) || !float.IsFinite(WMax) || !(WMin < WMax))
            throw new ArgumentException($"bounds w_min = {WMin}, w_max = {WMax} must be finite with w_min < w_max.", nameof(WMin));
    }
}

/// <summary>How float device weights are read (hybrid/device.h, hyb_device_read_config):
/// out = w·((t + t₀)/t₀)^(−ν_i) + σ·z, z per read.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Read">Which read, ≥ 0.</param>
/// <param name="TensorId">The tensor's sub-stream.</param>
/// <param name="ReadNoise">Read noise sd in weight units, finite, ≥ 0.</param>
/// <param name="Drift">Drift exponent ν, its spread and t₀.</param>
/// <param name="DriftTime">Seconds since programming, finite, ≥ 0.</param>
public readonly record struct DeviceReadSettings(ulong Seed, long Read, uint TensorId, float ReadNoise = 0f, DriftModel Drift = default,
    double DriftTime = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Read < 0) throw new ArgumentException($"read = {Read} must be >= 0.", nameof(Read));
        if (!(ReadNoise >= 0f) || !float.IsFinite(ReadNoise))
            throw new ArgumentException($"read noise = {ReadNoise} must be finite and >= 0.", nameof(ReadNoise));
        Drift.Validate();
        DeviceChecks.Time(DriftTime);
    }
}

internal static class DeviceChecks
{
    public static void Sd(string name, float x)
    {
        if (!(x >= 0f && x <= HybridConstants.HYB_DEVICE_MAX_SD))
            throw new ArgumentException($"{name} = {x} is outside [0, {HybridConstants.HYB_DEVICE_MAX_SD}].", name);
    }

    public static void Time(double t)
    {
        if (!(t >= 0) || !double.IsFinite(t))
            throw new ArgumentException($"drift time = {t} s must be finite and >= 0.", "drift-time");
    }
}
