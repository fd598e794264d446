using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// The optimisers Hybrid trains with, by name: TorchSharp's Adam and SGD as baselines, Madam on
/// tensor ops and on a synapse backend's kernel, LNS-Madam as the synapse model (the same one
/// <c>hybrid compare</c> runs) and as a float simulation, Fromage and Nero, and the successors: μP's Adam and SGD
/// (<c>mup-adam</c>, <c>mup-sgd</c>, on the μP twin of the model), Muon and Adam normalised in the modular norm
/// (<c>modular-adam</c>). One place decides which options apply to which optimiser, their ranges and defaults.
/// </summary>
public static class OptimizerCatalog
{
    /// <summary>The successors of Part II's optimisers (issue 23): μP's Adam and SGD, Muon, modular-norm Adam
    /// (declared before <see cref="Names"/>, which static initialisation reads in order).</summary>
    public static readonly IReadOnlyList<string> Successors = ["mup-adam", "mup-sgd", "muon", "modular-adam"];

    /// <summary>Valid names.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["adam", "sgd", "madam", "kernel-madam", "lns-madam", "lns-madam-sim", "fromage", "nero", "tiki-taka", .. Successors];

    private static readonly string[] MupFamily = ["mup-adam", "mup-sgd"];

    /// <summary>The float optimisers that run on analog devices with <see cref="OptimizerSpec.Device"/> (Devices/DeviceOptimizer).</summary>
    public static readonly IReadOnlyList<string> FloatDeviceOptimizers = ["sgd", "adam", "madam", "kernel-madam"];

    private static readonly string[] DeviceCapable = ["lns-madam", "sgd", "adam", "madam", "kernel-madam", "tiki-taka"];

    private static readonly string[] MadamFamily = ["madam", "kernel-madam", "lns-madam", "lns-madam-sim"];
    private static readonly string[] LnsFamily = ["lns-madam", "lns-madam-sim"];

    /// <summary>Every optional setting: its option name, whether a spec sets it, and the optimisers it applies to.</summary>
    private static readonly (string Option, Func<OptimizerSpec, bool> IsSet, string[] AppliesTo)[] Applicability =
    [
        ("momentum", s => s.Momentum is not null, ["sgd", "mup-sgd", "muon"]),
        ("weight-decay", s => s.WeightDecay is not null, ["sgd", "adam", .. MupFamily, "muon", "modular-adam"]),
        ("beta1", s => s.Beta1 is not null, ["adam", "mup-adam", "muon", "modular-adam"]),
        ("beta2", s => s.Beta2 is not null, ["adam", .. MadamFamily, "mup-adam", "muon", "modular-adam"]),
        ("eps", s => s.Eps is not null, ["adam", "mup-adam", "muon"]),
        ("p-scale", s => s.PScale is not null, MadamFamily),
        ("g-bound", s => s.GBound is not null, MadamFamily),
        ("p-bound", s => s.PBound is not null, ["fromage"]),
        ("nero-beta", s => s.NeroBeta is not null, ["nero"]),
        ("no-constraints", s => s.Constraints is not null, ["nero"]),
        ("bits", s => s.Bits is not null, LnsFamily),
        ("gamma", s => s.Gamma is not null, LnsFamily),
        ("rounding", s => s.Rounding is not null, LnsFamily),
        ("moment", s => s.Moment is not null, ["lns-madam"]),
        ("c2c-noise", s => s.C2cNoise is not null, DeviceCapable),
        ("d2d-gain-sd", s => s.D2dGainSd is not null, DeviceCapable),
        ("asymmetry", s => s.Asymmetry is not null, DeviceCapable),
        ("stuck-fraction", s => s.StuckFraction is not null, DeviceCapable),
        ("backend", s => s.Backend is not null, DeviceCapable),
        ("round-gradient", s => s.RoundGradient is not null, ["lns-madam"]),
        ("base-width", s => s.BaseWidth is not null, MupFamily),
        ("output-mult", s => s.OutputMult is not null, MupFamily),
        ("readout-zero-init", s => s.ReadoutZeroInit is not null, MupFamily),
        ("adam-lr", s => s.AdamLr is not null, ["muon"]),
        ("ns-steps", s => s.NsSteps is not null, ["muon"]),
        ("device", s => s.Device is not null, DeviceCapable),
    ];

    /// <summary>The published default learning rate of an optimiser.</summary>
    public static double DefaultLr(string name) => name.Trim().ToLowerInvariant() switch
    {
        "adam" or "mup-adam" => 1e-3,
        "sgd" or "mup-sgd" or "tiki-taka" => 0.1,
        "muon" => 0.02, // KellerJordan/Muon
        "modular-adam" => 0.5, // jxbz/modula paper/main.py
        _ => 0.01,
    };

    /// <summary>The optimisers an option applies to (for help texts), e.g. "sgd, adam".</summary>
    public static string AppliesTo(string option) =>
        string.Join(", ", Applicability.Single(a => a.Option == option).AppliesTo);

    /// <summary>
    /// Checks a spec before any work starts: the name, that every option set applies to the optimiser
    /// (an error naming the option otherwise — never silently ignored), and every value's range.
    /// </summary>
    /// <exception cref="ArgumentException">The first problem, naming the option.</exception>
    public static void Validate(OptimizerSpec spec)
    {
        var name = spec.Key;
        if (!Names.Contains(name))
            throw new ArgumentException($"unknown optimizer '{spec.Name}'; valid: {string.Join(", ", Names)}.", "optimizer");
        foreach (var (option, isSet, appliesTo) in Applicability)
            if (isSet(spec) && !appliesTo.Contains(name))
                throw new ArgumentException($"--{option} does not apply to {name}; it applies to {string.Join(", ", appliesTo)}.", option);
        double lr = spec.EffectiveLr;
        if (!double.IsFinite(lr) || lr <= 0) throw new ArgumentException($"--lr {lr} must be finite and > 0.", "lr");
        Range(spec.Momentum, "momentum", m => m >= 0 && m < 1, "in [0, 1)");
        Range(spec.WeightDecay, "weight-decay", w => w >= 0 && double.IsFinite(w), "finite and >= 0");
        Range(spec.Beta1, "beta1", b => b >= 0 && b < 1, "in [0, 1)");
        Range(spec.Beta2, "beta2", b => b >= 0 && b < 1, "in [0, 1)");
        Range(spec.Eps, "eps", e => e > 0 && double.IsFinite(e), "finite and > 0");
        Range(spec.PScale, "p-scale", p => p > 0 && double.IsFinite(p), "finite and > 0");
        Range(spec.GBound, "g-bound", g => g > 0 && double.IsFinite(g), "finite and > 0");
        Range(spec.PBound, "p-bound", p => p > 0 && double.IsFinite(p), "finite and > 0");
        Range(spec.NeroBeta, "nero-beta", b => b >= 0 && b < 1, "in [0, 1)");
        Range(spec.BaseWidth, "base-width", w => w >= 1, ">= 1");
        Range(spec.OutputMult, "output-mult", m => m > 0 && double.IsFinite(m), "finite and > 0");
        Range(spec.AdamLr, "adam-lr", l => l > 0 && l <= float.MaxValue, "finite and > 0");
        Range(spec.NsSteps, "ns-steps", n => n is >= 1 and <= 100, "in [1, 100]");
        RequireUpdateFits(spec);
        if (LnsFamily.Contains(name)) ValidateLns(spec);
        if (spec.Backend is not null) SynapseBackends.Get(spec.Backend);
        // the step options of float weights exist only on a device; then the device's own rules
        bool onDevices = spec.OnFloatDevices || name == "lns-madam";
        var stepOptions = new (string Option, bool Set)[]
        {
            ("c2c-noise", spec.C2cNoise is not null), ("d2d-gain-sd", spec.D2dGainSd is not null),
            ("asymmetry", spec.Asymmetry is not null), ("stuck-fraction", spec.StuckFraction is not null),
            ("backend", spec.Backend is not null && name != "kernel-madam"),
        };
        foreach (var (option, set) in stepOptions)
            if (set && !onDevices)
                throw new ArgumentException($"--{option} applies to {name} only on a device (set optimizer.device).", option);
        if (name == "lns-madam" || spec.OnFloatDevices)
        {
            spec.EffectiveDevice.Validate(name, weightDomain: name != "lns-madam", tikiTaka: name == "tiki-taka");
            try { spec.DeviceModel.Validate(); }
            catch (ArgumentException e) { throw new ArgumentException($"device: {e.Message}", "device", e); }
        }
    }

    private static void ValidateLns(OptimizerSpec spec)
    {
        int bits = spec.EffectiveBits;
        if (bits is < LnsFormat.MinBits or > LnsFormat.MaxBits)
            throw new ArgumentException($"--bits {bits} is outside [{LnsFormat.MinBits}, {LnsFormat.MaxBits}].", "bits");
        if (spec.Gamma is { } g && !(g > 0 && g <= LnsFormat.MaxGamma))
            throw new ArgumentException($"--gamma {g} is outside (0, {LnsFormat.MaxGamma}].", "gamma");
        // the smallest level must stay a normal float for any w_max down to 1e-3; then the step's own rules
        try
        {
            var s = spec.LnsSettings(0);
            (s with { Format = new LnsFormat(bits, spec.EffectiveGamma, 1e-3f) }).Validate(bits <= 8 ? 1 : 2);
        }
        catch (ArgumentException e) when (e.ParamName is not ("rounding" or "moment"))
        {
            throw new ArgumentException($"lns settings (bits {bits}, gamma {spec.EffectiveGamma}, lr {spec.EffectiveLr}): {e.Message}", e.ParamName ?? "lns");
        }
    }

    /// <summary>
    /// Refuses a learning rate whose update overflows float32 before it starts (issue 15 item 8: --lr 1e39 ended in
    /// TorchSharp's "value cannot be converted" after a row had trained). Every optimiser hands lr to float32 tensors;
    /// then the bound of one update: Adam |Δ| ≤ lr·max(1, (1 − β1)/√(1 − β2)) (Kingma and Ba, section 2.1); SGD's
    /// momentum multiplies lr up to 1/(1 − μ); Madam multiplies by exp(±lr·g_bound); an LNS code step is
    /// γ·lr·g_bound/ln 2 levels, which must fit an int32.
    /// </summary>
    private static void RequireUpdateFits(OptimizerSpec spec)
    {
        const double max = float.MaxValue;
        double lr = spec.EffectiveLr;
        string? why = spec.Key switch
        {
            _ when lr > max => $"it is larger than float32 holds ({max:G3})",
            "adam" or "mup-adam" when lr * Math.Max(1, (1 - (spec.Beta1 ?? 0.9)) / Math.Sqrt(1 - (spec.Beta2 ?? 0.999))) > max =>
                "Adam's update, up to lr·(1 − β1)/√(1 − β2), overflows float32",
            "sgd" or "mup-sgd" when lr / (1 - (spec.Momentum ?? 0.9)) > max => "SGD's momentum update, up to lr/(1 − momentum) per unit gradient, overflows float32",
            "madam" or "kernel-madam" when lr * (spec.GBound ?? 10) > Math.Log(max) =>
                $"Madam's factor exp(lr·g_bound) overflows float32 (lr·g_bound must be ≤ {Math.Log(max):F1})",
            "lns-madam" or "lns-madam-sim" when spec.EffectiveGamma * lr * (spec.GBound ?? 10) / Math.Log(2) > int.MaxValue =>
                "one LNS step, γ·lr·g_bound/ln 2 levels, overflows an int32",
            _ => null,
        };
        if (why is not null) throw new ArgumentException($"--lr {lr}: {why}.", "lr");
    }

    private static void Range(double? value, string option, Func<double, bool> ok, string rule)
    {
        if (value is { } v && !ok(v)) throw new ArgumentException($"--{option} {v} must be {rule}.", option);
    }

    private static void Range(int? value, string option, Func<int, bool> ok, string rule)
    {
        if (value is { } v && !ok(v)) throw new ArgumentException($"--{option} {v} must be {rule}.", option);
    }

    /// <summary>
    /// The model an optimiser trains: lns-madam turns every linear layer, 2-D convolution and embedding of any float model
    /// into a synapse layer (<see cref="LnsConverter"/>, w_max = p_scale · RMS(W)); mup-adam and mup-sgd train the model's μP
    /// twin (<see cref="MupTwin"/>); every other optimiser trains the model as it is.
    /// </summary>
    /// <remarks>On analog devices (<see cref="OptimizerSpec.Device"/>) the device's draws are keyed by <paramref name="seed"/>
    /// (the run's seed): float layers become <see cref="Devices.DeviceLinear"/>, LNS layers take the device's write noise,
    /// read noise and drift.</remarks>
    public static nn.Module<Tensor, Tensor> PrepareModel(OptimizerSpec spec, nn.Module<Tensor, Tensor> model, ulong seed = 0)
    {
        Validate(spec);
        if (spec.MupSettings is { } mup) return MupTwin(model, mup, spec.Key);
        if (spec.OnFloatDevices)
            return Devices.DeviceModels.FromFloat(model, spec.DeviceModel, spec.EffectiveDevice, spec.PScale ?? 3.0, seed,
                SynapseBackends.Get(spec.EffectiveBackend));
        if (spec.Key != "lns-madam") return model;
        // the float model's other layers (normalisation, activations) live on in the synapse model
        var lns = LnsConverter.Convert(model, new LnsConversionSettings(SynapseBackends.Get(spec.EffectiveBackend))
        {
            Bits = spec.EffectiveBits, Gamma = spec.EffectiveGamma, Moment = spec.MomentMode, PScale = spec.PScale ?? 3.0,
        }).Model;
        return spec.Device is null ? lns : Devices.DeviceModels.WithDevice(lns, spec.DeviceModel, seed);
    }

    /// <summary>
    /// The μP model of <paramref name="model"/>: the model itself when it was built in μP with these settings;
    /// otherwise, for a model <see cref="ModelFactory.Build"/> made in the standard parametrisation, its twin (the same
    /// spec and seed with <see cref="ModelSpec.Mup"/> set, on the same device: the same initial draws, then μP's
    /// readout and rescaling), and <paramref name="model"/> is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">A μP model with other settings, or a model no spec describes.</exception>
    public static nn.Module<Tensor, Tensor> MupTwin(nn.Module<Tensor, Tensor> model, MupSettings mup, string optimizer)
    {
        if (MupParametrization.Of(model) is { } built)
        {
            if (built.Settings != mup)
                throw new ArgumentException($"{optimizer}: the model was built in μP with {built.Settings}, the optimizer asks for {mup}.", "base-width");
            return model;
        }
        if (!ModelFactory.TryGetOrigin(model, out var spec, out long seed))
            throw new ArgumentException(
                $"{optimizer} needs a model in μP's parametrisation: build it with ModelFactory (ModelSpec.Mup) so its base shapes are known.", "optimizer");
        var device = model.parameters().FirstOrDefault()?.device;
        var twin = ModelFactory.Build(spec with { Mup = mup }, seed, device);
        model.Dispose();
        return twin;
    }

    /// <summary>Creates the optimiser for a model made by <see cref="PrepareModel"/> (seed keys the LNS rounding streams).</summary>
    public static optim.Optimizer Create(OptimizerSpec spec, nn.Module<Tensor, Tensor> model, ulong seed)
    {
        Validate(spec);
        if (spec.Key == "modular-adam")
            return ModularAdam.ForMlp(model, spec.EffectiveLr, spec.Beta1 ?? 0.9, spec.Beta2 ?? 0.99, spec.WeightDecay ?? 0, seed: seed);
        if (spec.Key == "tiki-taka") return new TikiTaka(model, spec.EffectiveLr, spec.EffectiveDevice);
        if (spec.OnFloatDevices)
        {
            // the inner optimiser proposes, the devices program; SGD on a device takes no momentum unless asked
            // (aihwkit's analog SGD programs the plain gradient step)
            var inner = spec with
            {
                Device = null, C2cNoise = null, D2dGainSd = null, Asymmetry = null, StuckFraction = null,
                Backend = spec.Key == "kernel-madam" ? spec.Backend : null,
                Momentum = spec.Key == "sgd" ? spec.Momentum ?? 0 : spec.Momentum,
            };
            return new DeviceOptimizer(model, Create(inner, model.parameters(), seed));
        }
        if (spec.Key != "lns-madam") return Create(spec, model.parameters(), seed);
        return new LnsMadamOptimizer(model, spec.LnsSettings(seed), spec.PScale ?? 3.0);
    }

    /// <summary>
    /// Creates the optimiser over <paramref name="parameters"/> (every optimiser but lns-madam and modular-adam, which
    /// need the model; mup-adam and mup-sgd need parameters of a μP model, muon takes them in the model's order).
    /// </summary>
    public static optim.Optimizer Create(OptimizerSpec spec, IEnumerable<Parameter> parameters, ulong seed)
    {
        Validate(spec);
        double lr = spec.EffectiveLr;
        return spec.Key switch
        {
            // TorchSharp's Adam and SGD, stepped with Scalars that live through their native calls (TorchScalars)
            "adam" => new KeptScalarsAdam(parameters, lr, spec.Beta1 ?? 0.9, spec.Beta2 ?? 0.999, spec.Eps ?? 1e-8, spec.WeightDecay ?? 0),
            "sgd" => new KeptScalarsSgd(parameters, lr, spec.Momentum ?? 0.9, weight_decay: spec.WeightDecay ?? 0),
            "madam" => new Madam(parameters, lr, spec.PScale ?? 3, spec.GBound ?? 10, spec.Beta2 ?? 0.999),
            "kernel-madam" => new KernelMadam(parameters, lr, spec.PScale ?? 3, spec.GBound ?? 10, spec.Beta2 ?? 0.999,
                SynapseBackends.Get(spec.EffectiveBackend)),
            "lns-madam-sim" => new LogGridMadam(parameters, lr, spec.EffectiveBits, spec.EffectiveGamma, spec.PScale ?? 3,
                spec.GBound ?? 10, spec.Beta2 ?? 0.999, spec.RoundingMode == Hybrid.Synapse.RoundingMode.Stochastic, seed),
            "fromage" => new Fromage(parameters, lr, spec.PBound),
            "nero" => new Nero(parameters, lr, spec.NeroBeta ?? 0.999, spec.Constraints ?? true),
            "mup-adam" => MupAdam.Create(parameters, lr, spec.Beta1 ?? 0.9, spec.Beta2 ?? 0.999, spec.Eps ?? 1e-8, spec.WeightDecay ?? 0),
            "mup-sgd" => MupSgd.Create(parameters, lr, spec.Momentum ?? 0.9, spec.WeightDecay ?? 0),
            "muon" => Muon.ForModel(parameters, lr, spec.AdamLr, spec.Momentum ?? 0.95, ns_steps: spec.NsSteps ?? 5,
                weight_decay: spec.WeightDecay ?? 0, beta1: spec.Beta1 ?? 0.9, beta2: spec.Beta2 ?? 0.95, eps: spec.Eps ?? 1e-10),
            "modular-adam" => throw new ArgumentException(
                "modular-adam normalises in the network's modular norm, which needs its layers and activations: pass the model.", "optimizer"),
            "lns-madam" => throw new ArgumentException(
                "lns-madam trains a synapse model: build it with OptimizerCatalog.PrepareModel and pass the model.", "optimizer"),
            "tiki-taka" => throw new ArgumentException(
                "tiki-taka trains device layers: build the model with OptimizerCatalog.PrepareModel and pass the model.", "optimizer"),
            _ => throw new ArgumentException($"unknown optimizer '{spec.Name}'; valid: {string.Join(", ", Names)}.", "optimizer"),
        };
    }

    /// <summary>Saves an optimiser's state (TorchSharp's own optimisers and Hybrid's alike).</summary>
    public static void Save(optim.Optimizer optimizer, BinaryWriter writer)
    {
        if (optimizer is ICheckpointedOptimizer c) c.SaveCheckpoint(writer);
        else if (optimizer is OptimizerHelper h) h.save_state_dict(writer);
        else throw new NotSupportedException($"{optimizer.GetType().Name} cannot save its state.");
    }

    /// <summary>Loads an optimiser's state saved by <see cref="Save"/>.</summary>
    public static void Load(optim.Optimizer optimizer, BinaryReader reader)
    {
        if (optimizer is ICheckpointedOptimizer c) c.LoadCheckpoint(reader);
        else if (optimizer is OptimizerHelper h) h.load_state_dict(reader);
        else throw new NotSupportedException($"{optimizer.GetType().Name} cannot load its state.");
    }
}

/// <summary>An optimiser whose state is not only per-parameter tensors (e.g. one that also owns
/// another optimiser); the trainer's checkpoints call these instead of state_dict.</summary>
public interface ICheckpointedOptimizer
{
    /// <summary>Writes the optimiser's state.</summary>
    void SaveCheckpoint(BinaryWriter writer);

    /// <summary>Restores the state written by <see cref="SaveCheckpoint"/>.</summary>
    void LoadCheckpoint(BinaryReader reader);
}
