using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// Where the LNS step's time goes, at the largest size only (B = 8, uint8 codes, one thread):
/// the same step with stochastic or nearest rounding (the difference is the Philox stream) and
/// with the non-finite policy reject or skip (reject scans the gradient once more before the
/// step: 4 more bytes read per element), natively and in managed SIMD. Baseline: the native
/// step as the kernel suite runs it (stochastic, reject).
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
    [GlobalSetup(Targets = [nameof(NativeStochasticReject), nameof(NativeNearestReject), nameof(NativeStochasticSkip),
        nameof(NativeNearestSkip), nameof(SimdStochasticReject), nameof(SimdNearestSkip)])]
    public void Setup()
    {
        _codes = BenchData.Codes(N, 8, 3).Select(c => (byte)c).ToArray();
        _g = BenchData.Gradient(N, 4);
        _v = new float[N];
        UseOneNativeThread();
    }

    /// <summary>Native, stochastic rounding, policy reject (as in the kernel suite).</summary>
    [Benchmark(Baseline = true, Description = "native 1t, stochastic, reject")]
    public StepStats NativeStochasticReject() => NativeCpuBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);

    /// <summary>Native, nearest rounding: no random numbers.</summary>
    [Benchmark(Description = "native 1t, nearest, reject")]
    public StepStats NativeNearestReject() =>
        NativeCpuBackend.Instance.LnsMadamStep(_s with { Rounding = RoundingMode.Nearest }, _codes, _g, _v);

    /// <summary>Native, policy skip: no gradient scan before the step.</summary>
    [Benchmark(Description = "native 1t, stochastic, skip")]
    public StepStats NativeStochasticSkip() =>
        NativeCpuBackend.Instance.LnsMadamStep(_s with { NonFinite = NonFinitePolicy.Skip }, _codes, _g, _v);

    /// <summary>Native, neither random numbers nor the gradient scan: the step's own arithmetic and traffic.</summary>
    [Benchmark(Description = "native 1t, nearest, skip")]
    public StepStats NativeNearestSkip() =>
        NativeCpuBackend.Instance.LnsMadamStep(_s with { Rounding = RoundingMode.Nearest, NonFinite = NonFinitePolicy.Skip }, _codes, _g, _v);

    /// <summary>Managed SIMD as in the kernel suite.</summary>
    [Benchmark(Description = "managed SIMD, stochastic, reject")]
    public StepStats SimdStochasticReject() => ManagedSimdBackend.Instance.LnsMadamStep(_s, _codes, _g, _v);

    /// <summary>Managed SIMD without random numbers or the gradient scan.</summary>
    [Benchmark(Description = "managed SIMD, nearest, skip")]
    public StepStats SimdNearestSkip() =>
        ManagedSimdBackend.Instance.LnsMadamStep(_s with { Rounding = RoundingMode.Nearest, NonFinite = NonFinitePolicy.Skip }, _codes, _g, _v);
}
