using TorchSharp;
using TorchSharp.Modules;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// An optimiser chosen by name, with its hyperparameters; what a run's config.json records.
/// Unset values take each optimiser's published default.
/// </summary>
/// <param name="Name">One of <see cref="OptimizerCatalog.Names"/>.</param>
/// <param name="Lr">Learning rate (default: the optimiser's own — Adam 1e-3, SGD 0.1, the rest 0.01).</param>
/// <param name="Bits">LNS-Madam: bits per weight (8).</param>
/// <param name="Gamma">LNS-Madam: levels per octave (8).</param>
/// <param name="PBound">Fromage: norm bound as a multiple of the initial norm (none).</param>
/// <param name="Momentum">SGD: momentum (0.9).</param>
/// <param name="Stochastic">LNS-Madam: stochastic rounding (true) or nearest.</param>
public sealed record OptimizerSpec(string Name, double? Lr = null, int? Bits = null, double? Gamma = null,
    double? PBound = null, double? Momentum = null, bool Stochastic = true)
{
    /// <summary>The learning rate actually used.</summary>
    public double EffectiveLr => Lr ?? OptimizerCatalog.DefaultLr(Name);
}

/// <summary>The optimisers <c>hybrid train</c> knows, by name.</summary>
public static class OptimizerCatalog
{
    /// <summary>Valid names: TorchSharp's Adam and SGD as baselines, and Hybrid's own.</summary>
    public static readonly IReadOnlyList<string> Names = ["adam", "sgd", "madam", "kernel-madam", "lns-madam", "fromage", "nero"];

    /// <summary>The published default learning rate of an optimiser.</summary>
    public static double DefaultLr(string name) => Normalise(name) switch
    {
        "adam" => 1e-3,
        "sgd" => 0.1,
        _ => 0.01,
    };

    /// <summary>Checks a spec before any work starts: the name, and every value's range.</summary>
    public static void Validate(OptimizerSpec spec)
    {
        var name = Normalise(spec.Name);
        if (!Names.Contains(name))
            throw new ArgumentException($"unknown optimizer '{spec.Name}'; valid: {string.Join(", ", Names)}.", "optimizer");
        double lr = spec.EffectiveLr;
        if (!double.IsFinite(lr) || lr <= 0) throw new ArgumentException($"learning rate {lr} must be finite and > 0.", "lr");
        if (spec.Bits is { } b && (b < 2 || b > 16)) throw new ArgumentException($"bits {b} is outside [2, 16].", "bits");
        if (spec.Gamma is { } g && !(g > 0 && g <= 4096)) throw new ArgumentException($"gamma {g} is outside (0, 4096].", "gamma");
        if (spec.PBound is { } pb && !(pb > 0 && double.IsFinite(pb))) throw new ArgumentException($"p-bound {pb} must be > 0.", "p-bound");
        if (spec.Momentum is { } m && !(m >= 0 && m < 1)) throw new ArgumentException($"momentum {m} is outside [0, 1).", "momentum");
    }

    /// <summary>Creates the optimiser over <paramref name="parameters"/> (seed keys LNS-Madam's rounding stream).</summary>
    public static torch.optim.Optimizer Create(OptimizerSpec spec, IEnumerable<Parameter> parameters, ulong seed)
    {
        Validate(spec);
        double lr = spec.EffectiveLr;
        return Normalise(spec.Name) switch
        {
            "adam" => torch.optim.Adam(parameters, lr),
            "sgd" => torch.optim.SGD(parameters, lr, momentum: spec.Momentum ?? 0.9),
            "madam" => HybridOptim.Madam(parameters, lr),
            "kernel-madam" => HybridOptim.KernelMadam(parameters, lr),
            "lns-madam" => HybridOptim.IntegerMadam(parameters, lr, spec.Bits ?? 8, spec.Gamma ?? 8, stochastic: spec.Stochastic, seed: seed),
            "fromage" => HybridOptim.Fromage(parameters, lr, spec.PBound),
            "nero" => HybridOptim.Nero(parameters, lr),
            _ => throw new ArgumentException($"unknown optimizer '{spec.Name}'; valid: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Saves an optimiser's state (TorchSharp's own optimisers and Hybrid's alike).</summary>
    public static void Save(torch.optim.Optimizer optimizer, BinaryWriter writer)
    {
        if (optimizer is ICheckpointedOptimizer c) c.SaveCheckpoint(writer);
        else if (optimizer is OptimizerHelper h) h.save_state_dict(writer);
        else throw new NotSupportedException($"{optimizer.GetType().Name} cannot save its state.");
    }

    /// <summary>Loads an optimiser's state saved by <see cref="Save"/>.</summary>
    public static void Load(torch.optim.Optimizer optimizer, BinaryReader reader)
    {
        if (optimizer is ICheckpointedOptimizer c) c.LoadCheckpoint(reader);
        else if (optimizer is OptimizerHelper h) h.load_state_dict(reader);
        else throw new NotSupportedException($"{optimizer.GetType().Name} cannot load its state.");
    }

    private static string Normalise(string name) => name.Trim().ToLowerInvariant();
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
