using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Hybrid.Native;
using Hybrid.Native.Interop;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench.Boundary;

/// <summary>
/// The cost of crossing into libhybrid for a tiny tensor (one element, uint8 codes, B = 8,
/// stochastic rounding), layer by layer:
/// <list type="bullet">
/// <item>a trivial call through the raw generated binding (hyb_threads_get): the P/Invoke
/// transition alone (the baseline);</item>
/// <item>hyb_lns_madam_step_u8 through the raw binding, pointers prepared once: transition plus
/// the C entry point's validation (format, settings, lengths, overlap, codes, gradients) and
/// the one-element step with its Philox block;</item>
/// <item>the safe layer (LnsKernels.MadamStep): spans, the managed length and overlap
/// checks, pinning, the ABI check flag and the status check;</item>
/// <item>the backend (NativeCpuBackend): the managed settings validation and the conversion to
/// the interop struct on top;</item>
/// <item>the same one-element step in managed code (reference and SIMD), which crosses nothing.</item>
/// </list>
/// </summary>
public unsafe class BoundaryBenchmarks
{
    private HybLnsMadamConfig* _config;
    private HybStepStats* _stats;
    private byte* _pc;
    private float* _pg, _pv;
    private byte[] _codes = [];
    private float[] _g = [], _v = [];
    private HybLnsMadamConfig _configValue;
    private LnsMadamSettings _s;

    /// <summary>Elements per call.</summary>
    [Params(1)]
    public int N { get; set; }

    /// <summary>Native memory for the raw calls, arrays for the span-based ones.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 10, 0.01f, Rounding: RoundingMode.Stochastic, Seed: 42);
        _configValue = InteropMapping.ToNative(_s);
        _config = (HybLnsMadamConfig*)NativeMemory.Alloc((nuint)sizeof(HybLnsMadamConfig));
        *_config = _configValue;
        _stats = (HybStepStats*)NativeMemory.Alloc((nuint)sizeof(HybStepStats));
        _pc = (byte*)NativeMemory.AllocZeroed((nuint)N);
        _pg = (float*)NativeMemory.Alloc((nuint)N * 4);
        _pv = (float*)NativeMemory.AllocZeroed((nuint)N * 4);
        _codes = new byte[N];
        _g = new float[N];
        _v = new float[N];
        for (int i = 0; i < N; ++i) { _pc[i] = _codes[i] = 40; _pg[i] = _g[i] = 0.01f; }
        CpuKernels.Threads = 1;   // loads libhybrid and checks its ABI before timing
    }

    /// <summary>Frees the native memory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.Free(_config);
        NativeMemory.Free(_stats);
        NativeMemory.Free(_pc);
        NativeMemory.Free(_pg);
        NativeMemory.Free(_pv);
    }

    /// <summary>hyb_threads_get through the generated binding: the bare transition.</summary>
    [Benchmark(Baseline = true, Description = "raw hyb_threads_get")]
    public int RawTrivialCall()
    {
        int n;
        HybridNative.hyb_threads_get(&n);
        return n;
    }

    /// <summary>hyb_lns_madam_step_u8 through the generated binding.</summary>
    [Benchmark(Description = "raw hyb_lns_madam_step_u8")]
    public HybStatus RawStep() => HybridNative.hyb_lns_madam_step_u8(_config, _pc, _pg, N, _pv, N, _stats);

    /// <summary>LnsKernels.MadamStep: the safe layer's span bounds plus the raw call.</summary>
    [Benchmark(Description = "safe layer (LnsKernels)")]
    public HybStepStats SafeStep() => LnsKernels.MadamStep(_configValue, _codes.AsSpan(), _g, _v);

    /// <summary>NativeCpuBackend.LnsMadamStep: settings validation, conversion, safe layer, call.</summary>
    [Benchmark(Description = "backend (NativeCpuBackend)")]
    public StepStats BackendStep() => NativeCpuBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);

    /// <summary>The managed reference's step on the same element: no boundary at all.</summary>
    [Benchmark(Description = "managed reference")]
    public StepStats ManagedStep() => ManagedBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);

    /// <summary>The managed SIMD step on the same element (one padded group of 32).</summary>
    [Benchmark(Description = "managed SIMD")]
    public StepStats SimdStep() => ManagedSimdBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);
}
