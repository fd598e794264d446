using TorchSharp.Modules;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Factories for Hybrid's optimisers, in the style of <c>torch.optim</c>: e.g.
/// <c>HybridOptim.Madam(model.parameters(), lr: 0.01)</c>. Each returns an
/// <see cref="OptimizerHelper"/> that TorchSharp's learning-rate schedulers drive.
/// </summary>
public static class HybridOptim
{
    /// <summary>Madam on tensor ops (Bernstein et al., NeurIPS 2020).</summary>
    public static Madam Madam(IEnumerable<Parameter> parameters, double lr = 0.01, double p_scale = 3.0,
        double g_bound = 10.0, double beta2 = 0.999) => new(parameters, lr, p_scale, g_bound, beta2);

    /// <summary>Madam on a synapse backend's float32 kernel (default: libhybrid's C kernel), zero-copy.</summary>
    public static KernelMadam KernelMadam(IEnumerable<Parameter> parameters, double lr = 0.01, double p_scale = 3.0,
        double g_bound = 10.0, double beta2 = 0.999, Hybrid.Synapse.Backends.ISynapseBackend? backend = null) =>
        new(parameters, lr, p_scale, g_bound, beta2, backend);

    /// <summary>LNS-Madam in float simulation: weights on a B-bit logarithmic grid.</summary>
    public static LogGridMadam LogGridMadam(IEnumerable<Parameter> parameters, double lr = 0.01, int bits = 8,
        double gamma = 8, double p_scale = 3.0, double g_bound = 10.0, double beta2 = 0.999, bool stochastic = true,
        ulong seed = 0) => new(parameters, lr, bits, gamma, p_scale, g_bound, beta2, stochastic, seed);

    /// <summary>Fromage (Bernstein et al., NeurIPS 2020).</summary>
    public static Fromage Fromage(IEnumerable<Parameter> parameters, double lr = 0.01, double? p_bound = null) =>
        new(parameters, lr, p_bound);

    /// <summary>Nero (Liu et al., ICML 2021).</summary>
    public static Nero Nero(IEnumerable<Parameter> parameters, double lr = 0.01, double beta = 0.999, bool constraints = true) =>
        new(parameters, lr, beta, constraints);
}
