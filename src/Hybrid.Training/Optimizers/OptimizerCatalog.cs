using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// The optimisers Hybrid trains with, by name: TorchSharp's Adam and SGD as baselines, Madam on
/// tensor ops and on a synapse backend's kernel, LNS-Madam as the synapse model (the same one
/// <c>hybrid compare</c> runs) and as a float simulation, Fromage and Nero. One place decides
/// which options apply to which optimiser, their ranges and defaults.
/// </summary>
public static class OptimizerCatalog
{
    /// <summary>Valid names.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["adam", "sgd", "madam", "kernel-madam", "lns-madam", "lns-madam-sim", "fromage", "nero"];

    private static readonly string[] MadamFamily = ["madam", "kernel-madam", "lns-madam", "lns-madam-sim"];
    private static readonly string[] LnsFamily = ["lns-madam", "lns-madam-sim"];

    /// <summary>Every optional setting: its option name, whether a spec sets it, and the optimisers it applies to.</summary>
    private static readonly (string Option, Func<OptimizerSpec, bool> IsSet, string[] AppliesTo)[] Applicability =
    [
        ("momentum", s => s.Momentum is not null, ["sgd"]),
        ("weight-decay", s => s.WeightDecay is not null, ["sgd", "adam"]),
        ("beta1", s => s.Beta1 is not null, ["adam"]),
        ("beta2", s => s.Beta2 is not null, ["adam", .. MadamFamily]),
        ("eps", s => s.Eps is not null, ["adam"]),
        ("p-scale", s => s.PScale is not null, MadamFamily),
        ("g-bound", s => s.GBound is not null, MadamFamily),
        ("p-bound", s => s.PBound is not null, ["fromage"]),
        ("nero-beta", s => s.NeroBeta is not null, ["nero"]),
        ("no-constraints", s => s.Constraints is not null, ["nero"]),
        ("bits", s => s.Bits is not null, LnsFamily),
        ("gamma", s => s.Gamma is not null, LnsFamily),
        ("rounding", s => s.Rounding is not null, LnsFamily),
        ("moment", s => s.Moment is not null, ["lns-madam"]),
        ("c2c-noise", s => s.C2cNoise is not null, ["lns-madam"]),
        ("d2d-gain-sd", s => s.D2dGainSd is not null, ["lns-madam"]),
        ("asymmetry", s => s.Asymmetry is not null, ["lns-madam"]),
        ("stuck-fraction", s => s.StuckFraction is not null, ["lns-madam"]),
        ("backend", s => s.Backend is not null, ["kernel-madam", "lns-madam"]),
        ("round-gradient", s => s.RoundGradient is not null, ["lns-madam"]),
    ];

    /// <summary>The published default learning rate of an optimiser.</summary>
    public static double DefaultLr(string name) => name.Trim().ToLowerInvariant() switch
    {
        "adam" => 1e-3,
        "sgd" => 0.1,
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
        RequireUpdateFits(spec);
        if (LnsFamily.Contains(name)) ValidateLns(spec);
        if (spec.Backend is not null) SynapseBackends.Get(spec.Backend);
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
            "adam" when lr * Math.Max(1, (1 - (spec.Beta1 ?? 0.9)) / Math.Sqrt(1 - (spec.Beta2 ?? 0.999))) > max =>
                "Adam's update, up to lr·(1 − β1)/√(1 − β2), overflows float32",
            "sgd" when lr / (1 - (spec.Momentum ?? 0.9)) > max => "SGD's momentum update, up to lr/(1 − momentum) per unit gradient, overflows float32",
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

    /// <summary>
    /// The model an optimiser trains: lns-madam turns every linear layer of a float model into a
    /// synapse layer (<see cref="LnsLinear"/>, w_max = p_scale · RMS(W)); every other optimiser trains the model as it is.
    /// </summary>
    public static nn.Module<Tensor, Tensor> PrepareModel(OptimizerSpec spec, nn.Module<Tensor, Tensor> model)
    {
        Validate(spec);
        if (spec.Key != "lns-madam") return model;
        // the float model's other layers (activations, convolutions) live on in the synapse model
        return LnsModels.FromFloat(model, spec.EffectiveBits, spec.EffectiveGamma, spec.MomentMode,
            SynapseBackends.Get(spec.EffectiveBackend), spec.PScale ?? 3.0);
    }

    /// <summary>Creates the optimiser for a model made by <see cref="PrepareModel"/> (seed keys the LNS rounding streams).</summary>
    public static optim.Optimizer Create(OptimizerSpec spec, nn.Module<Tensor, Tensor> model, ulong seed)
    {
        Validate(spec);
        if (spec.Key != "lns-madam") return Create(spec, model.parameters(), seed);
        return new LnsMadamOptimizer(model, spec.LnsSettings(seed), spec.PScale ?? 3.0);
    }

    /// <summary>Creates the optimiser over <paramref name="parameters"/> (every optimiser but lns-madam, which needs the model).</summary>
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
            "lns-madam" => throw new ArgumentException(
                "lns-madam trains a synapse model: build it with OptimizerCatalog.PrepareModel and pass the model.", "optimizer"),
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
