using Hybrid.Native;
using Hybrid.Native.Interop;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Madam (Bernstein et al., NeurIPS 2020; see <see cref="Madam"/>) on libhybrid's C kernel:
/// one native call per tensor on the parameter's own memory (zero-copy), multithreaded for
/// large tensors. Same options, state and state-dict layout as <see cref="Madam"/>; results
/// agree with the tensor-op version within 1e-5 relative per step (the kernel's exp is a
/// polynomial within ~2 ulp, and w_max comes from the kernel's double-precision RMS).
/// </summary>
/// <remarks>
/// Float32 contiguous parameters. CPU tensors go to the C kernel on their own memory; CUDA
/// tensors go to libhybrid's CUDA kernel on their device memory (default stream, which
/// synchronises with libtorch's legacy default stream). The CUDA path is small and guarded, and
/// untested here: TorchSharp's CUDA package cannot be installed on our machines (see
/// docs/cuda.md). A gradient with NaN or ±inf is rejected (the step throws and nothing changes).
/// </remarks>
public sealed class NativeMadam : HybridOptimizer<Madam.Options, Madam.State>
{
    /// <summary>Creates the native-kernel Madam over <paramref name="parameters"/>.</summary>
    public NativeMadam(IEnumerable<Parameter> parameters, double lr = 0.01, double p_scale = 3.0, double g_bound = 10.0,
        double beta2 = 0.999)
        : this([new Madam.ParamGroup(parameters)], lr, p_scale, g_bound, beta2) { }

    /// <summary>Creates the native-kernel Madam over parameter groups.</summary>
    public NativeMadam(IEnumerable<Madam.ParamGroup> parameters, double lr = 0.01, double p_scale = 3.0,
        double g_bound = 10.0, double beta2 = 0.999)
        : base(parameters, new Madam.Options { LearningRate = lr, InitialLearningRate = lr, p_scale = p_scale, g_bound = g_bound, beta2 = beta2 })
    {
    }

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
                StepCuda(p, grad, s, o);
                continue;
            }
            var w = TensorMemory.Float32(p, "parameter");
            var g = TensorMemory.Float32(grad, "gradient");
            var v = TensorMemory.Float32(s.exp_avg_sq, "second moment");
            if (s.step == 0) s.w_max = (float)(o.p_scale!.Value * NativeKernels.Rms(w));
            NativeKernels.MadamStep(Config(o, s), w, g, v);
            s.step += 1;
        }
    }, closure);

    private static unsafe void StepCuda(Parameter p, Tensor grad, Madam.State s, Madam.Options o)
    {
        Cuda.EnsureAvailable();
        float* w = TensorMemory.CudaFloat32(p, "parameter");
        float* g = TensorMemory.CudaFloat32(grad, "gradient");
        float* v = TensorMemory.CudaFloat32(s.exp_avg_sq, "second moment");
        if (s.step == 0)
        {
            double rms;
            NativeStatus.Check(HybridNative.hyb_cuda_rms_f32(w, p.numel(), &rms, null));
            s.w_max = (float)(o.p_scale!.Value * rms);
        }
        var config = Config(o, s);
        HybStepStats stats;
        NativeStatus.Check(HybridNative.hyb_cuda_madam_step_f32(&config, w, g, v, p.numel(), &stats, null));
        s.step += 1;
    }

    private static HybMadamConfig Config(Madam.Options o, Madam.State s) => new()
    {
        Lr = (float)o.LearningRate!.Value, Beta2 = (float)o.beta2!.Value, GBound = (float)o.g_bound!.Value,
        // an all-zero tensor has w_max 0 and never moves; the kernel wants w_max > 0
        WMax = Math.Max((float)s.w_max, float.Epsilon), Step = s.step + 1, Nonfinite = HybNonfinitePolicy.Reject,
    };

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
