using Hybrid.Experiments.Options;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Train;

/// <summary>
/// <c>hybrid train</c>'s optimiser options: one per hyperparameter of every optimiser in the catalog, each
/// setting a field of the run's <see cref="OptimizerSpec"/>. Unset options take the optimiser's published
/// default; an option that does not apply to the chosen optimiser is an error (the catalog says which apply where).
/// </summary>
public static class OptimizerSpecOptions
{
    private static string For(string option) => $"[{OptimizerCatalog.AppliesTo(option)}]";

    /// <summary>Every optimiser option, over settings whose optimiser <paramref name="get"/> reads and <paramref name="set"/> replaces.</summary>
    public static IEnumerable<SettingOption<T>> Of<T>(OptionBuilder<T> o, Func<T, OptimizerSpec> get, Func<T, OptimizerSpec, T> set) where T : class
    {
        T With(T s, Func<OptimizerSpec, OptimizerSpec> change) => set(s, change(get(s)));
        return
        [
            o.Text("--optimizer", $"One of: {string.Join(", ", OptimizerCatalog.Names)}.", (s, v) => With(s, p => p with { Name = v }), s => get(s).Name),
            o.Number("--lr", "Learning rate (the optimiser's own unless given: adam 1e-3, sgd 0.1, the rest 0.01).", (s, v) => With(s, p => p with { Lr = v })),
            o.Number("--momentum", $"Momentum (0.9). {For("momentum")}", (s, v) => With(s, p => p with { Momentum = v })),
            o.Number("--weight-decay", $"L2 weight decay (0). {For("weight-decay")}", (s, v) => With(s, p => p with { WeightDecay = v })),
            o.Number("--beta1", $"First-moment decay (0.9). {For("beta1")}", (s, v) => With(s, p => p with { Beta1 = v })),
            o.Number("--beta2", $"Second-moment decay (0.999). {For("beta2")}", (s, v) => With(s, p => p with { Beta2 = v })),
            o.Number("--eps", $"Adam's epsilon (1e-8). {For("eps")}", (s, v) => With(s, p => p with { Eps = v })),
            o.Number("--p-scale", $"w_max = p_scale · RMS(w at the first step) (3). {For("p-scale")}", (s, v) => With(s, p => p with { PScale = v })),
            o.Number("--g-bound", $"Bound on the normalised gradient (10). {For("g-bound")}", (s, v) => With(s, p => p with { GBound = v })),
            o.Number("--p-bound", $"Norm bound, a multiple of the initial norm (none). {For("p-bound")}", (s, v) => With(s, p => p with { PBound = v })),
            o.Number("--nero-beta", $"Nero's per-neuron second-moment decay (0.999). {For("nero-beta")}", (s, v) => With(s, p => p with { NeroBeta = v })),
            o.Flag("--no-constraints", $"Nero without its zero-mean, unit-norm rows. {For("no-constraints")}", (s, v) => v ? With(s, p => p with { Constraints = false }) : s),
            o.Int("--bits", $"Bits per synapse (8). {For("bits")}", (s, v) => With(s, p => p with { Bits = v })),
            o.Number("--gamma", $"Levels per octave (default per bit width; 8 at 8 bits). {For("gamma")}", (s, v) => With(s, p => p with { Gamma = v })),
            o.Text("--rounding", $"stochastic (default) or nearest. {For("rounding")}", (s, v) => With(s, p => p with { Rounding = v })),
            o.Text("--moment", $"Second moment: per-synapse (default), per-neuron, per-tensor or none. {For("moment")}", (s, v) => With(s, p => p with { Moment = v })),
            o.Number("--c2c-noise", $"Device model: cycle-to-cycle relative step noise (sd), 0–10. {For("c2c-noise")}", (s, v) => With(s, p => p with { C2cNoise = v })),
            o.Number("--d2d-gain-sd", $"Device model: device-to-device step-gain spread (sd), 0–10. {For("d2d-gain-sd")}", (s, v) => With(s, p => p with { D2dGainSd = v })),
            o.Number("--asymmetry", $"Device model: up/down asymmetry, in (-1, 1). {For("asymmetry")}", (s, v) => With(s, p => p with { Asymmetry = v })),
            o.Number("--stuck-fraction", $"Device model: fraction of synapses that never move, 0–1. {For("stuck-fraction")}", (s, v) => With(s, p => p with { StuckFraction = v })),
            o.Text("--backend", $"Synapse backend: {string.Join(", ", SynapseBackends.Names)} (default: native-cpu where libhybrid loads, else managed-simd). {For("backend")}",
                (s, v) => With(s, p => p with { Backend = v })),
        ];
    }
}
