using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Madam (Bernstein et al., NeurIPS 2020; see <see cref="Madam"/>) on a synapse backend's float32
/// kernel: one call per tensor on the parameter's own memory (zero-copy). The backend is any of
/// <see cref="SynapseBackends.Names"/> — libhybrid's C kernel (native-cpu, the default), the
/// managed twin, its vectorised form, or libhybrid's CUDA kernel for CUDA tensors. Same options,
/// state and state-dict layout as <see cref="Madam"/>; results agree with the tensor-op version
/// within 1e-5 relative per step (the kernel's exp is a polynomial within ~2 ulp, and w_max comes
/// from the kernel's double-precision RMS).
/// </summary>
/// <remarks>
/// Float32 contiguous parameters. CPU tensors are stepped through spans over their storage; CUDA
/// tensors through <see cref="DeviceMemory{T}"/> views of their device storage, which needs the
/// native-cuda backend (untested here: TorchSharp's CUDA package cannot be installed on our
/// machines, see docs/cuda.md). Non-finite gradients follow <see cref="Madam"/> and the authors'
/// reference (<see cref="NonFinitePolicy.Propagate"/>): a NaN or ±inf gradient enters that
/// element's second moment by IEEE arithmetic, its normalised gradient is NaN → 0, so the element
/// takes no step then and, its moment poisoned, none after; and a gradient whose square underflows
/// (|g| below about 1e-21 with no history) divides to ±inf and takes a full ±g_bound step, as there.
/// </remarks>
public sealed class KernelMadam : HybridOptimizer<Madam.Options, Madam.State>
{
    /// <summary>Creates Madam over <paramref name="parameters"/> on <paramref name="backend"/> (default: <see cref="SynapseBackends.Default"/>).</summary>
    public KernelMadam(IEnumerable<Parameter> parameters, double lr = 0.01, double p_scale = 3.0, double g_bound = 10.0,
        double beta2 = 0.999, ISynapseBackend? backend = null)
        : this([new Madam.ParamGroup(parameters)], lr, p_scale, g_bound, beta2, backend) { }

    /// <summary>Creates Madam over parameter groups on <paramref name="backend"/>.</summary>
    public KernelMadam(IEnumerable<Madam.ParamGroup> parameters, double lr = 0.01, double p_scale = 3.0,
        double g_bound = 10.0, double beta2 = 0.999, ISynapseBackend? backend = null)
        : base(parameters, new Madam.Options { LearningRate = lr, InitialLearningRate = lr, p_scale = p_scale, g_bound = g_bound, beta2 = beta2 })
    {
        Backend = backend ?? SynapseBackends.Get(SynapseBackends.Default);
    }

    /// <summary>The backend whose kernel takes the steps.</summary>
    public ISynapseBackend Backend { get; }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<Madam.ParamGroup>(group =>
    {
        var o = group.Options;
        foreach (var p in group.Parameters)
        {
            using var grad0 = p.grad;
            if (grad0 is null) continue;
            using var grad = grad0.contiguous();
            var s = StateOf(p);
            if (p.device_type == DeviceType.CUDA)
            {
                StepDevice(p, grad, s, o);
                continue;
            }
            var w = TensorMemory.Float32(p, "parameter");
            var g = TensorMemory.Float32(grad, "gradient");
            var v = TensorMemory.Float32(s.exp_avg_sq, "second moment");
            if (s.step == 0) s.w_max = (float)(o.p_scale!.Value * Backend.Rms(w));
            Backend.MadamStep(Settings(o, s), w, g, v);
            s.step += 1;
        }
    }, closure);

    private void StepDevice(Parameter p, Tensor grad, Madam.State s, Madam.Options o)
    {
        if (Backend is not IDeviceSynapseBackend device)
            throw new NotSupportedException(
                $"the parameter is on {p.device}; backend '{Backend.Name}' steps host memory only — use --backend {SynapseBackends.NativeCuda}.");
        var w = TensorMemory.Device(p, "parameter");
        if (s.step == 0) s.w_max = (float)(o.p_scale!.Value * device.Rms(w));
        device.MadamStep(Settings(o, s), w, TensorMemory.Device(grad, "gradient"), TensorMemory.Device(s.exp_avg_sq, "second moment"));
        s.step += 1;
    }

    private static MadamSettings Settings(Madam.Options o, Madam.State s) =>
        // an all-zero tensor has w_max 0 and never moves; the kernel wants w_max > 0
        new(Math.Max((float)s.w_max, float.Epsilon), s.step + 1, (float)o.LearningRate!.Value, (float)o.beta2!.Value,
            (float)o.g_bound!.Value, NonFinitePolicy.Propagate);

    /// <inheritdoc />
    protected override void Complete(Madam.Options o, Madam.Options def)
    {
        o.p_scale ??= def.p_scale;
        o.g_bound ??= def.g_bound;
        o.beta2 ??= def.beta2;
        OptimizerChecks.Madam(o.LearningRate!.Value, o.p_scale!.Value, o.g_bound!.Value, o.beta2!.Value);
    }

    /// <inheritdoc />
    protected override Madam.State CreateState(Parameter parameter, Madam.Options options)
    {
        if (parameter.device_type != DeviceType.CUDA) TensorMemory.RequireCpuFloat32(parameter, "parameter");
        var s = new Madam.State(parameter);
        s.Initialize(options);
        return s;
    }
}
