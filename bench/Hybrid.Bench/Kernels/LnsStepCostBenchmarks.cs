using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// Where the LNS step's time goes, at the largest size only (B = 8, uint8 codes, one thread, the
/// widest SIMD level): stochastic rounding with every number of random bits r (one Philox block
/// serves 4·⌊32/r⌋ elements) against nearest rounding (no random numbers), and the non-finite
/// policy reject (one more read of the gradient before the step, 4 of the step's 14 bytes) against
/// skip; managed SIMD beside the native default. Baseline: native, default r, reject (the kernel
/// suite's row).
/// </summary>
[BenchmarkCategory("lns-b8-cost"), BytesPerElement(Traffic.LnsU8)]
public class LnsStepCostBenchmarks : KernelBenchmarks
{
    private byte[] _codes = [];
    private float[] _g = [], _v = [];
    private readonly LnsMadamSettings _s = new(new LnsFormat(8, 8f, 1f), 10, 0.01f, Seed: 42, TensorId: 3);

    /// <summary>Only the largest of the kernel suite's sizes.</summary>
    public override IEnumerable<int> Sizes() => [BenchData.Sizes().Max()];

    /// <summary>Setup of every step case: buffers, libhybrid on one thread.</summary>
    [GlobalSetup(Targets = [nameof(NativeDefaultReject), nameof(NativeNearestReject), nameof(NativeDefaultSkip),
        nameof(NativeNearestSkip), nameof(NativeR4Skip), nameof(NativeR12Skip), nameof(NativeR16Skip), nameof(NativeR32Skip),
        nameof(SimdDefaultReject), nameof(SimdNearestSkip)])]
    public void Setup()
    {
        _codes = BenchData.Codes(N, 8, 3).Select(c => (byte)c).ToArray();
        _g = BenchData.Gradient(N, 4);
        _v = new float[N];
        UseOneNativeThread();
    }

    private StepStats Native(LnsMadamSettings s) => NativeCpuBackend.Instance.LnsMadamStep(s, _codes, _g, _v);
    private LnsMadamSettings Skip(int r) => _s with { NonFinite = NonFinitePolicy.Skip, RandomBits = r };

    /// <summary>Native, stochastic with the default r, policy reject (as in the kernel suite).</summary>
    [Benchmark(Baseline = true, Description = "native 1t, stochastic r=default, reject")]
    public StepStats NativeDefaultReject() => Native(_s);

    /// <summary>Native, nearest rounding: no random numbers.</summary>
    [Benchmark(Description = "native 1t, nearest, reject")]
    public StepStats NativeNearestReject() => Native(_s with { Rounding = RoundingMode.Nearest });

    /// <summary>Native, policy skip: no gradient scan before the step.</summary>
    [Benchmark(Description = "native 1t, stochastic r=default, skip")]
    public StepStats NativeDefaultSkip() => Native(_s with { NonFinite = NonFinitePolicy.Skip });

    /// <summary>Native, neither random numbers nor the gradient scan: the step's own arithmetic and traffic.</summary>
    [Benchmark(Description = "native 1t, nearest, skip")]
    public StepStats NativeNearestSkip() =>
        Native(_s with { Rounding = RoundingMode.Nearest, NonFinite = NonFinitePolicy.Skip });

    /// <summary>4 random bits: 32 elements per Philox block.</summary>
    [Benchmark(Description = "native 1t, stochastic r=4, skip")]
    public StepStats NativeR4Skip() => Native(Skip(4));

    /// <summary>12 random bits: 8 elements per block (as 16).</summary>
    [Benchmark(Description = "native 1t, stochastic r=12, skip")]
    public StepStats NativeR12Skip() => Native(Skip(12));

    /// <summary>16 random bits: 8 elements per block.</summary>
    [Benchmark(Description = "native 1t, stochastic r=16, skip")]
    public StepStats NativeR16Skip() => Native(Skip(16));

    /// <summary>32 random bits (the stream before random bits were a parameter): 4 elements per block.</summary>
    [Benchmark(Description = "native 1t, stochastic r=32, skip")]
    public StepStats NativeR32Skip() => Native(Skip(32));

    /// <summary>Managed SIMD as in the kernel suite.</summary>
    [Benchmark(Description = "managed SIMD, stochastic r=default, reject")]
    public StepStats SimdDefaultReject() => ManagedSimdBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);

    /// <summary>Managed SIMD without random numbers or the gradient scan.</summary>
    [Benchmark(Description = "managed SIMD, nearest, skip")]
    public StepStats SimdNearestSkip() =>
        ManagedSimdBackend.Instance.LnsMadamStep(_s with { Rounding = RoundingMode.Nearest, NonFinite = NonFinitePolicy.Skip }, _codes, _g, _v);
}
