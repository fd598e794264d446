using Hybrid.Synapse.Simd;
using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// One float32 Madam step (w, g, v in place; paper defaults, step 10, policy reject so the
/// input scans are included) on every implementation. Baseline: the scalar managed reference.
/// </summary>
[BenchmarkCategory("madam-f32"), BytesPerElement(Traffic.MadamF32)]
public class MadamStepBenchmarks : KernelBenchmarks
{
    private float[] _w = [], _g = [], _v = [];
    private MadamSettings _s;
    private TorchMadam? _torch;

    private void Allocate()
    {
        _w = BenchData.Weights(N, 1);
        _g = BenchData.Gradient(N, 2);
        _v = new float[N];
        _s = new MadamSettings((float)(3 * ManagedBackend.Instance.Rms(_w)), 10);
    }

    /// <summary>Setup of the managed cases.</summary>
    [GlobalSetup(Targets = [nameof(Reference), nameof(Simd)])]
    public void Setup() => Allocate();

    /// <summary>Setup of libhybrid on one thread.</summary>
    [GlobalSetup(Target = nameof(NativeOneThread))]
    public void SetupOne() { Allocate(); UseOneNativeThread(); }

    /// <summary>Setup of libhybrid on one thread, AVX2.</summary>
    [GlobalSetup(Target = nameof(NativeAvx2))]
    public void SetupAvx2() { Allocate(); UseOneNativeThread(); UseAvx2(); }

    /// <summary>Setup of libhybrid on all threads.</summary>
    [GlobalSetup(Target = nameof(NativeAllThreads))]
    public void SetupAll() { Allocate(); UseAllNativeThreads(); }

    /// <summary>Setup of the TorchSharp composition, after checking it against the reference.</summary>
    [GlobalSetup(Target = nameof(TorchSharp))]
    public void SetupTorch()
    {
        TorchSelfCheck.Madam();
        Allocate();
        _torch = new TorchMadam(_w, _g, _v);
        _w = _g = _v = [];
    }

    /// <summary>Frees the torch tensors.</summary>
    [GlobalCleanup(Target = nameof(TorchSharp))]
    public void CleanupTorch() => _torch?.Dispose();

    /// <summary>The scalar managed reference (ManagedKernels).</summary>
    [Benchmark(Baseline = true, Description = "managed reference")]
    public StepStats Reference() => ManagedBackend.Instance.MadamStep(_s, _w, _g, _v);

    /// <summary>Vector256 managed code (SimdKernels), one thread.</summary>
    [Benchmark(Description = "managed SIMD")]
    public StepStats Simd() => ManagedSimdBackend.Instance.MadamStep(_s, _w, _g, _v);

    /// <summary>libhybrid through the backend (settings check, safe layer, native validation and step), one thread.</summary>
    [Benchmark(Description = "native, 1 thread")]
    public StepStats NativeOneThread() => NativeCpuBackend.Instance.MadamStep(_s, _w, _g, _v);

    /// <summary>The same forced to AVX2 (a CPU without AVX-512).</summary>
    [Benchmark(Description = "native, 1 thread, AVX2")]
    public StepStats NativeAvx2() => NativeCpuBackend.Instance.MadamStep(_s, _w, _g, _v);

    /// <summary>The same on all threads.</summary>
    [Benchmark(Description = "native, all threads")]
    public StepStats NativeAllThreads() => NativeCpuBackend.Instance.MadamStep(_s, _w, _g, _v);

    /// <summary>TorchSharp tensor ops (<see cref="TorchMadam"/>).</summary>
    [Benchmark(Description = "TorchSharp ops")]
    public void TorchSharp() => _torch!.Step(_s);
}
