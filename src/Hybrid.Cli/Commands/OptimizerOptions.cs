using System.CommandLine;
using Hybrid.Training.Optimizers;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid train</c>'s optimiser options: one per hyperparameter of every optimiser in the
/// catalog. Unset options take the optimiser's published default; an option that does not apply
/// to the chosen optimiser is an error (the catalog says which apply where).
/// </summary>
public sealed class OptimizerOptions
{
    private static string For(string option) => $"[{OptimizerCatalog.AppliesTo(option)}]";

    /// <summary><c>--optimizer</c>.</summary>
    public Option<string> Name { get; } = new("--optimizer")
    {
        Description = $"One of: {string.Join(", ", OptimizerCatalog.Names)}.", DefaultValueFactory = _ => "adam",
    };
    /// <summary><c>--lr</c>.</summary>
    public Option<double?> Lr { get; } = new("--lr") { Description = "Learning rate (default: the optimiser's own: adam 1e-3, sgd 0.1, the rest 0.01)." };
    /// <summary><c>--momentum</c>.</summary>
    public Option<double?> Momentum { get; } = new("--momentum") { Description = $"Momentum (0.9). {For("momentum")}" };
    /// <summary><c>--weight-decay</c>.</summary>
    public Option<double?> WeightDecay { get; } = new("--weight-decay") { Description = $"L2 weight decay (0). {For("weight-decay")}" };
    /// <summary><c>--beta1</c>.</summary>
    public Option<double?> Beta1 { get; } = new("--beta1") { Description = $"First-moment decay (0.9). {For("beta1")}" };
    /// <summary><c>--beta2</c>.</summary>
    public Option<double?> Beta2 { get; } = new("--beta2") { Description = $"Second-moment decay (0.999). {For("beta2")}" };
    /// <summary><c>--eps</c>.</summary>
    public Option<double?> Eps { get; } = new("--eps") { Description = $"Adam's epsilon (1e-8). {For("eps")}" };
    /// <summary><c>--p-scale</c>.</summary>
    public Option<double?> PScale { get; } = new("--p-scale") { Description = $"w_max = p_scale · RMS(w at the first step) (3). {For("p-scale")}" };
    /// <summary><c>--g-bound</c>.</summary>
    public Option<double?> GBound { get; } = new("--g-bound") { Description = $"Bound on the normalised gradient (10). {For("g-bound")}" };
    /// <summary><c>--p-bound</c>.</summary>
    public Option<double?> PBound { get; } = new("--p-bound") { Description = $"Norm bound, a multiple of the initial norm (none). {For("p-bound")}" };
    /// <summary><c>--nero-beta</c>.</summary>
    public Option<double?> NeroBeta { get; } = new("--nero-beta") { Description = $"Nero's per-neuron second-moment decay (0.999). {For("nero-beta")}" };
    /// <summary><c>--no-constraints</c>.</summary>
    public Option<bool> NoConstraints { get; } = new("--no-constraints") { Description = $"Nero without its zero-mean, unit-norm rows. {For("no-constraints")}" };
    /// <summary><c>--bits</c>.</summary>
    public Option<int?> Bits { get; } = new("--bits") { Description = $"Bits per synapse (8). {For("bits")}" };
    /// <summary><c>--gamma</c>.</summary>
    public Option<double?> Gamma { get; } = new("--gamma") { Description = $"Levels per octave (default per bit width; 8 at 8 bits). {For("gamma")}" };
    /// <summary><c>--rounding</c>.</summary>
    public Option<string?> Rounding { get; } = new("--rounding") { Description = $"stochastic (default) or nearest. {For("rounding")}" };
    /// <summary><c>--moment</c>.</summary>
    public Option<string?> Moment { get; } = new("--moment") { Description = $"Second moment: per-synapse (default), per-neuron, per-tensor or none. {For("moment")}" };
    /// <summary><c>--c2c-noise</c>.</summary>
    public Option<double?> C2cNoise { get; } = new("--c2c-noise") { Description = $"Device model: cycle-to-cycle relative step noise (sd), 0–10. {For("c2c-noise")}" };
    /// <summary><c>--d2d-gain-sd</c>.</summary>
    public Option<double?> D2dGainSd { get; } = new("--d2d-gain-sd") { Description = $"Device model: device-to-device step-gain spread (sd), 0–10. {For("d2d-gain-sd")}" };
    /// <summary><c>--asymmetry</c>.</summary>
    public Option<double?> Asymmetry { get; } = new("--asymmetry") { Description = $"Device model: up/down asymmetry, in (-1, 1). {For("asymmetry")}" };
    /// <summary><c>--stuck-fraction</c>.</summary>
    public Option<double?> StuckFraction { get; } = new("--stuck-fraction") { Description = $"Device model: fraction of synapses that never move, 0–1. {For("stuck-fraction")}" };
    /// <summary><c>--backend</c>.</summary>
    public Option<string?> Backend { get; } = new("--backend") { Description = $"Synapse backend: {BackendNames.List} (default: native-cpu where libhybrid loads). {For("backend")}" };

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All =>
    [
        Name, Lr, Momentum, WeightDecay, Beta1, Beta2, Eps, PScale, GBound, PBound, NeroBeta, NoConstraints, Bits, Gamma,
        Rounding, Moment, C2cNoise, D2dGainSd, Asymmetry, StuckFraction, Backend,
    ];

    /// <summary>The spec the command line asks for.</summary>
    public OptimizerSpec Read(ParseResult p) => new(p.GetValue(Name)!, p.GetValue(Lr), p.GetValue(Momentum), p.GetValue(WeightDecay),
        p.GetValue(Beta1), p.GetValue(Beta2), p.GetValue(Eps), p.GetValue(PScale), p.GetValue(GBound), p.GetValue(PBound),
        p.GetValue(NeroBeta), p.GetValue(NoConstraints) ? false : null, p.GetValue(Bits), p.GetValue(Gamma), p.GetValue(Rounding),
        p.GetValue(Moment), p.GetValue(C2cNoise), p.GetValue(D2dGainSd), p.GetValue(Asymmetry), p.GetValue(StuckFraction),
        p.GetValue(Backend));
}

/// <summary>The backend names for help texts.</summary>
public static class BackendNames
{
    /// <summary>"managed, managed-simd, native-cpu, native-cuda".</summary>
    public static string List => string.Join(", ", Hybrid.Experiments.Runs.RunEnvironment.BackendNames);
}
