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

    /// <summary>μP's Adam (microsoft/mup <c>MuAdam</c>) over parameters of a μP model (<c>ModelSpec.Mup</c>).</summary>
    public static MupAdam MupAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 0) => Optimizers.MupAdam.Create(parameters, lr, beta1, beta2, eps, weight_decay);

    /// <summary>μP's SGD (microsoft/mup <c>MuSGD</c>) over parameters of a μP model (<c>ModelSpec.Mup</c>).</summary>
    public static MupSgd MupSgd(IEnumerable<Parameter> parameters, double lr = 0.1, double momentum = 0.9, double weight_decay = 0) =>
        Optimizers.MupSgd.Create(parameters, lr, momentum, weight_decay);

    /// <summary>Muon (KellerJordan/Muon) for a model's parameters in their order: hidden matrices by Muon, the rest by AdamW.</summary>
    public static Muon Muon(IEnumerable<Parameter> parameters, double lr = 0.02, double? adam_lr = null, double momentum = 0.95,
        double weight_decay = 0) => Optimizers.Muon.ForModel(parameters, lr, adam_lr, momentum, weight_decay: weight_decay);

    /// <summary>Adam normalised in the modular norm of an MLP (jxbz/modula).</summary>
    public static ModularAdam ModularAdam(TorchSharp.torch.nn.Module model, double lr = 0.5, double beta1 = 0.9, double beta2 = 0.99,
        double weight_decay = 0, ulong seed = 0) => Optimizers.ModularAdam.ForMlp(model, lr, beta1, beta2, weight_decay, seed: seed);
}
