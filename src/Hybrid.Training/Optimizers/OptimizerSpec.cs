using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// An optimiser chosen by name with its hyperparameters: what a run's config.json records. Every
/// value is optional and takes the optimiser's published default when unset; a value that does
/// not apply to the chosen optimiser is an error (<see cref="OptimizerCatalog.Validate"/>), never
/// silently ignored. Names follow the CLI's options (<c>--p-scale</c> is <see cref="PScale"/>).
/// </summary>
/// <param name="Name">One of <see cref="OptimizerCatalog.Names"/>.</param>
/// <param name="Lr">Learning rate (Adam 1e-3, SGD 0.1, the rest 0.01).</param>
/// <param name="Momentum">SGD: momentum (0.9).</param>
/// <param name="WeightDecay">SGD, Adam: L2 weight decay (0).</param>
/// <param name="Beta1">Adam: first-moment decay (0.9).</param>
/// <param name="Beta2">Second-moment decay: Adam (0.999) and the Madam family (0.999).</param>
/// <param name="Eps">Adam: ε (1e-8).</param>
/// <param name="PScale">Madam family: w_max = p_scale · RMS(w at the first step) (3).</param>
/// <param name="GBound">Madam family: bound on the normalised gradient (10).</param>
/// <param name="PBound">Fromage: norm bound as a multiple of the initial norm (none; must be > 0 when given).</param>
/// <param name="NeroBeta">Nero: second-moment decay per neuron (0.999).</param>
/// <param name="Constraints">Nero: zero-mean, unit-norm rows (true).</param>
/// <param name="Bits">LNS-Madam: bits per synapse (8).</param>
/// <param name="Gamma">LNS-Madam: levels per octave (default per bit width, <c>LnsModels.DefaultGamma</c>; 8 at 8 bits).</param>
/// <param name="Rounding">LNS-Madam: "stochastic" (default) or "nearest".</param>
/// <param name="Moment">lns-madam: where the second moment lives: per-synapse (default), per-neuron, per-tensor, none.</param>
/// <param name="C2cNoise">lns-madam device model: cycle-to-cycle relative step noise (0).</param>
/// <param name="D2dGainSd">lns-madam device model: device-to-device step-gain spread (0).</param>
/// <param name="Asymmetry">lns-madam device model: up/down asymmetry (0).</param>
/// <param name="StuckFraction">lns-madam device model: fraction of synapses that never move (0).</param>
/// <param name="Backend">kernel-madam, lns-madam: the synapse backend (default: <see cref="SynapseBackends.Default"/>).</param>
/// <param name="RoundGradient">lns-madam: round ĝ to an integer before the code step, as LNS-Madam's reference (false).</param>
/// <param name="Device">The synapses as analog devices (<see cref="Devices.DeviceSpec"/>: family, noise, bounds, drift,
/// Tiki-Taka's transfer): lns-madam in the code domain; sgd, adam, madam and kernel-madam on float weights (the update
/// they propose programmed through the device); tiki-taka always (default: a constant-step device). Null: digital.</param>
public sealed record OptimizerSpec(string Name, double? Lr = null, double? Momentum = null, double? WeightDecay = null,
    double? Beta1 = null, double? Beta2 = null, double? Eps = null, double? PScale = null, double? GBound = null,
    double? PBound = null, double? NeroBeta = null, bool? Constraints = null, int? Bits = null, double? Gamma = null,
    string? Rounding = null, string? Moment = null, double? C2cNoise = null, double? D2dGainSd = null,
    double? Asymmetry = null, double? StuckFraction = null, string? Backend = null, bool? RoundGradient = null,
    Devices.DeviceSpec? Device = null)
{
    /// <summary>mup-adam, mup-sgd: μP's base width (64, <see cref="Models.MupSettings.DefaultBaseWidth"/>).</summary>
    public int? BaseWidth { get; init; }

    /// <summary>mup-adam, mup-sgd: the readout's output multiplier (mup's <c>output_mult</c>, 1).</summary>
    public double? OutputMult { get; init; }

    /// <summary>mup-adam, mup-sgd: start the readout at zero (mup's <c>readout_zero_init</c>, false).</summary>
    public bool? ReadoutZeroInit { get; init; }

    /// <summary>muon: the learning rate of its AdamW groups (default <see cref="Muon.AuxLrRatio"/> · lr, 3e-4 at lr 0.02).</summary>
    public double? AdamLr { get; init; }

    /// <summary>muon: Newton–Schulz steps (5).</summary>
    public int? NsSteps { get; init; }

    /// <summary>The μP settings of mup-adam and mup-sgd (null for every other optimiser).</summary>
    public Models.MupSettings? MupSettings => Key is "mup-adam" or "mup-sgd"
        ? new(BaseWidth ?? Models.MupSettings.DefaultBaseWidth, OutputMult ?? 1.0, ReadoutZeroInit ?? false)
        : null;

    /// <summary>The normalised name.</summary>
    public string Key => Name.Trim().ToLowerInvariant();

    /// <summary>The learning rate actually used.</summary>
    public double EffectiveLr => Lr ?? OptimizerCatalog.DefaultLr(Name);

    /// <summary>The bits actually used by an LNS optimiser.</summary>
    public int EffectiveBits => Bits ?? 8;

    /// <summary>The γ actually used by an LNS optimiser.</summary>
    public float EffectiveGamma => (float)(Gamma ?? Lns.LnsModels.DefaultGamma(EffectiveBits));

    /// <summary>The rounding mode of an LNS optimiser.</summary>
    public RoundingMode RoundingMode => (Rounding ?? "stochastic").Trim().ToLowerInvariant() switch
    {
        "stochastic" => RoundingMode.Stochastic,
        "nearest" => RoundingMode.Nearest,
        _ => throw new ArgumentException($"--rounding '{Rounding}' is unknown; valid: stochastic, nearest.", "rounding"),
    };

    /// <summary>The moment mode of lns-madam.</summary>
    public MomentMode MomentMode => Moments.Parse(Moment ?? "per-synapse");

    /// <summary>The device model: the step options (c2c noise, d2d gain, asymmetry, stuck fraction) and, with
    /// <see cref="Device"/>, its family, write and read noise and drift.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Synapse.DeviceModel DeviceModel
    {
        get
        {
            var step = new Synapse.DeviceModel((float)(C2cNoise ?? 0), (float)(D2dGainSd ?? 0), (float)(Asymmetry ?? 0), (float)(StuckFraction ?? 0));
            return Device is null ? step : Device.Model(step);
        }
    }

    /// <summary>Whether float weights live on analog devices (a float optimiser with <see cref="Device"/>, or tiki-taka).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool OnFloatDevices => Key == "tiki-taka" || (Device is not null && OptimizerCatalog.FloatDeviceOptimizers.Contains(Key));

    /// <summary>The device settings actually used (tiki-taka without <see cref="Device"/>: a constant-step device).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Devices.DeviceSpec EffectiveDevice => Device ?? new Devices.DeviceSpec();

    /// <summary>The backend name actually used.</summary>
    public string EffectiveBackend => SynapseBackends.Resolve(Backend);

    /// <summary>
    /// The LNS Madam step settings of lns-madam (format, moment rows and tensor id are each layer's own;
    /// the step and learning rate are set per step). Non-finite gradients are skipped and counted.
    /// </summary>
    public LnsMadamSettings LnsSettings(ulong seed) => new(new LnsFormat(EffectiveBits, EffectiveGamma, 1f), 1, (float)EffectiveLr,
        (float)(Beta2 ?? 0.999), (float)(GBound ?? 10), RoundingMode, seed, NonFinite: NonFinitePolicy.Skip, Moment: MomentMode,
        Device: DeviceModel, RoundGradient: RoundGradient ?? false);
}

/// <summary>Names of the LNS second-moment modes (<see cref="MomentMode"/>), as options spell them.</summary>
public static class Moments
{
    /// <summary>Valid names.</summary>
    public static readonly IReadOnlyList<string> Names = ["per-synapse", "per-neuron", "per-tensor", "none"];

    /// <summary>Parses a name.</summary>
    public static MomentMode Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "per-synapse" => MomentMode.PerSynapse,
        "per-neuron" => MomentMode.PerNeuron,
        "per-tensor" => MomentMode.PerTensor,
        "none" => MomentMode.None,
        _ => throw new ArgumentException($"--moment '{name}' is unknown; valid: {string.Join(", ", Names)}.", "moment"),
    };
}
