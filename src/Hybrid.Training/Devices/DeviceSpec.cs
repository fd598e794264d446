using Hybrid.Synapse;

namespace Hybrid.Training.Devices;

/// <summary>
/// An analog synapse device as a run's config.json records it: every parameter a plain, optional settings field
/// (a sweep file names them as <c>optimizer.device.family</c>, <c>optimizer.device.gammaUp</c>, …), with aihwkit's
/// names and meanings (docs/devices.md). Unset fields take their defaults: the family's own parameters aihwkit's
/// (ExpStepDevice's A and γ, PowStepDevice's pow_gamma 1, the weight domain's dw_min 0.001 and bounds ±0.6, PCM drift
/// t₀ 20 s), every spread and noise 0. A field that does not apply to the family or the optimiser is an error
/// (<see cref="Validate"/>), never silently ignored. The step options shared with the digital synapse model
/// (cycle-to-cycle noise, device-to-device gain, asymmetry, stuck fraction) stay the optimiser's own fields
/// (<c>c2cNoise</c>, <c>d2dGainSd</c>, <c>asymmetry</c>, <c>stuckFraction</c>).
/// </summary>
/// <param name="Family">constant (default), linear-step, soft-bounds, exp-step, pow-step or piecewise-step.</param>
/// <param name="GammaUp">linear-step: γ⁺ (0); exp-step: the up exponent (12.44625).</param>
/// <param name="GammaDown">linear-step: γ⁻ (0); exp-step: the down exponent (12.78785).</param>
/// <param name="GammaUpDtod">linear-step: device-to-device sd of γ⁺, absolute (0; aihwkit 0.05).</param>
/// <param name="GammaDownDtod">linear-step: device-to-device sd of γ⁻, absolute (0; aihwkit 0.05).</param>
/// <param name="AUp">exp-step: A_up (0.00081).</param>
/// <param name="ADown">exp-step: A_down (0.36833).</param>
/// <param name="ExpA">exp-step: the slope a (0.244).</param>
/// <param name="ExpB">exp-step: the offset b (0.2425).</param>
/// <param name="PowGamma">pow-step: pow_gamma (1).</param>
/// <param name="PowGammaDtod">pow-step: relative device-to-device sd of pow_gamma (0; aihwkit 0.1).</param>
/// <param name="PowUpDown">pow-step: up/down bias of pow_gamma (0).</param>
/// <param name="PowUpDownDtod">pow-step: its device-to-device sd (0).</param>
/// <param name="PiecewiseUp">piecewise-step: 1–16 up-step factors, equally spaced over the range (required for it).</param>
/// <param name="PiecewiseDown">piecewise-step: as many down-step factors.</param>
/// <param name="UpDownDtod">Every family: device-to-device sd of the up/down asymmetry (0; aihwkit 0.01).</param>
/// <param name="WriteNoiseStd">Write noise sd per programming event, in pulses (dw_min; code levels for LNS) (0).</param>
/// <param name="ReadNoiseStd">Read noise sd per forward read, in pulses (dw_min; code levels for LNS) (0).</param>
/// <param name="DriftNu">Drift exponent ν of w(t) = w₀((t + t₀)/t₀)^(−ν), for drift evaluations (0: none).</param>
/// <param name="DriftNuDtod">Relative device-to-device sd of ν (0).</param>
/// <param name="DriftT0">t₀ in seconds (20, aihwkit's PCM model).</param>
/// <param name="DwMin">Float weights on a device: one pulse's step in device units (0.001).</param>
/// <param name="WMin">Float weights on a device: the lower bound in device units (−0.6).</param>
/// <param name="WMax">Float weights on a device: the upper bound in device units (0.6); p_scale·RMS(w₀) maps to it.</param>
/// <param name="TransferEvery">tiki-taka: steps between transfers (aihwkit transfer_every in mini-batches, 1).</param>
/// <param name="TransferLr">tiki-taka: the transfer's learning rate (aihwkit transfer_lr, 1).</param>
/// <param name="ScaleTransferLr">tiki-taka: transfer_lr relative to the SGD learning rate (aihwkit scale_transfer_lr, true).</param>
/// <param name="NReadsPerTransfer">tiki-taka: columns of the fast device read and transferred per transfer (1).</param>
public sealed record DeviceSpec(string? Family = null, double? GammaUp = null, double? GammaDown = null,
    double? GammaUpDtod = null, double? GammaDownDtod = null, double? AUp = null, double? ADown = null, double? ExpA = null,
    double? ExpB = null, double? PowGamma = null, double? PowGammaDtod = null, double? PowUpDown = null,
    double? PowUpDownDtod = null, double[]? PiecewiseUp = null, double[]? PiecewiseDown = null, double? UpDownDtod = null,
    double? WriteNoiseStd = null, double? ReadNoiseStd = null, double? DriftNu = null, double? DriftNuDtod = null,
    double? DriftT0 = null, double? DwMin = null, double? WMin = null, double? WMax = null, int? TransferEvery = null,
    double? TransferLr = null, bool? ScaleTransferLr = null, int? NReadsPerTransfer = null)
{
    /// <summary>The family actually used.</summary>
    public DeviceFamily EffectiveFamily => DeviceFamilies.Parse(Family ?? "constant");

    /// <summary>The family and its parameters, defaults filled in (aihwkit's for the family's own).</summary>
    public DeviceResponse Response()
    {
        var f = EffectiveFamily;
        float F(double? x, double def) => (float)(x ?? def);
        var r = f switch
        {
            DeviceFamily.LinearStep => DeviceResponse.LinearStep(F(GammaUp, 0), F(GammaDown, 0), F(GammaUpDtod, 0), F(GammaDownDtod, 0)),
            DeviceFamily.SoftBounds => DeviceResponse.SoftBounds(),
            DeviceFamily.ExpStep => DeviceResponse.ExpStep(F(AUp, 0.00081), F(ADown, 0.36833), F(GammaUp, 12.44625), F(GammaDown, 12.78785),
                F(ExpA, 0.244), F(ExpB, 0.2425)),
            DeviceFamily.PowStep => DeviceResponse.PowStep(F(PowGamma, 1), F(PowGammaDtod, 0), F(PowUpDown, 0), F(PowUpDownDtod, 0)),
            DeviceFamily.PiecewiseStep => DeviceResponse.PiecewiseStep((PiecewiseUp ?? []).Select(x => (float)x).ToArray(),
                (PiecewiseDown ?? []).Select(x => (float)x).ToArray()),
            _ => DeviceResponse.Constant,
        };
        return r with { UpDownDtod = F(UpDownDtod, 0) };
    }

    /// <summary>The device model with the optimiser's step options (<paramref name="step"/>: c2c, d2d, asymmetry, stuck).</summary>
    public DeviceModel Model(DeviceModel step) => step with
    {
        Response = Response(), WriteNoiseStd = (float)(WriteNoiseStd ?? 0), ReadNoiseStd = (float)(ReadNoiseStd ?? 0),
        Drift = new DriftModel((float)(DriftNu ?? 0), (float)(DriftNuDtod ?? 0), DriftT0 ?? DriftModel.DefaultT0),
    };

    /// <summary>One pulse's step in device units (float weights).</summary>
    public float EffectiveDwMin => (float)(DwMin ?? DeviceUpdateSettings.DefaultDwMin);
    /// <summary>The lower bound in device units.</summary>
    public float EffectiveWMin => (float)(WMin ?? -DeviceUpdateSettings.DefaultWMax);
    /// <summary>The upper bound in device units.</summary>
    public float EffectiveWMax => (float)(WMax ?? DeviceUpdateSettings.DefaultWMax);
    /// <summary>Steps between Tiki-Taka transfers.</summary>
    public int EffectiveTransferEvery => TransferEvery ?? 1;
    /// <summary>Tiki-Taka's transfer learning rate.</summary>
    public double EffectiveTransferLr => TransferLr ?? 1.0;
    /// <summary>Whether the transfer learning rate scales with the SGD learning rate.</summary>
    public bool EffectiveScaleTransferLr => ScaleTransferLr ?? true;
    /// <summary>Columns transferred per transfer.</summary>
    public int EffectiveReadsPerTransfer => NReadsPerTransfer ?? 1;

    /// <summary>
    /// Checks the fields for an optimiser: <paramref name="weightDomain"/> (float weights: dw_min and bounds apply),
    /// <paramref name="tikiTaka"/> (the transfer fields apply); every value in range through the synapse layer's rules.
    /// </summary>
    /// <exception cref="ArgumentException">The first problem, naming the field as a sweep file or config.json spells it.</exception>
    public void Validate(string optimizer, bool weightDomain, bool tikiTaka)
    {
        void NotFor(string field, bool set, bool applies, string who)
        {
            if (set && !applies) throw new ArgumentException($"device.{field} does not apply to {optimizer}; it applies to {who}.", $"device.{field}");
        }
        NotFor("dwMin", DwMin is not null, weightDomain, "float weights on a device (sgd, adam, madam, kernel-madam, tiki-taka)");
        NotFor("wMin", WMin is not null, weightDomain, "float weights on a device");
        NotFor("wMax", WMax is not null, weightDomain, "float weights on a device");
        foreach (var (field, set) in new[] { ("transferEvery", TransferEvery is not null), ("transferLr", TransferLr is not null),
                     ("scaleTransferLr", ScaleTransferLr is not null), ("nReadsPerTransfer", NReadsPerTransfer is not null) })
            NotFor(field, set, tikiTaka, "tiki-taka");
        try
        {
            var family = EffectiveFamily;
            bool lin = family == DeviceFamily.LinearStep, exp = family == DeviceFamily.ExpStep, pow = family == DeviceFamily.PowStep;
            string f = DeviceFamilies.Name(family);
            void Family(string field, bool set, bool applies)
            {
                if (set && !applies) throw new ArgumentException($"device.{field} does not apply to the {f} family.", $"device.{field}");
            }
            Family("gammaUp", GammaUp is not null, lin || exp);
            Family("gammaDown", GammaDown is not null, lin || exp);
            Family("gammaUpDtod", GammaUpDtod is not null, lin);
            Family("gammaDownDtod", GammaDownDtod is not null, lin);
            Family("aUp", AUp is not null, exp);
            Family("aDown", ADown is not null, exp);
            Family("expA", ExpA is not null, exp);
            Family("expB", ExpB is not null, exp);
            Family("powGamma", PowGamma is not null, pow);
            Family("powGammaDtod", PowGammaDtod is not null, pow);
            Family("powUpDown", PowUpDown is not null, pow);
            Family("powUpDownDtod", PowUpDownDtod is not null, pow);
            bool pc = family == DeviceFamily.PiecewiseStep;
            Family("piecewiseUp", PiecewiseUp is not null, pc);
            Family("piecewiseDown", PiecewiseDown is not null, pc);
            if (pc && (PiecewiseUp is null || PiecewiseDown is null))
                throw new ArgumentException("the piecewise-step family needs device.piecewiseUp and device.piecewiseDown.", "device.piecewiseUp");
            Model(DeviceModel.Ideal).Validate();
            if (weightDomain)
                new DeviceUpdateSettings(DeviceModel.Ideal, 0, 1, 0, 1f, EffectiveDwMin, EffectiveWMin, EffectiveWMax).Validate();
            if (tikiTaka)
            {
                if (EffectiveTransferEvery < 1) throw new ArgumentException($"device.transferEvery {EffectiveTransferEvery} must be >= 1.", "device.transferEvery");
                if (EffectiveReadsPerTransfer < 1)
                    throw new ArgumentException($"device.nReadsPerTransfer {EffectiveReadsPerTransfer} must be >= 1.", "device.nReadsPerTransfer");
                if (!(EffectiveTransferLr > 0) || !double.IsFinite(EffectiveTransferLr))
                    throw new ArgumentException($"device.transferLr {EffectiveTransferLr} must be finite and > 0.", "device.transferLr");
            }
        }
        catch (ArgumentException e) when (e.ParamName is null || !e.ParamName.StartsWith("device.", StringComparison.Ordinal))
        {
            throw new ArgumentException($"device: {e.Message}", "device", e);
        }
    }
}
