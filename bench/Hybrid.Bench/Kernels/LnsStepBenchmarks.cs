using Hybrid.Synapse.Simd;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// One LNS Madam step (codes and v in place; stochastic rounding from the Philox stream with the
/// default random bits, lr 0.01, step 10, policy reject so the input scans are included) on every
/// implementation; native on one thread at its widest SIMD level and forced to AVX2, and on all.
/// Baseline: the scalar managed reference. The formats: B = 8 with γ = 8 (LNS-Madam's word),
/// B = 16 with γ = 512 (the smallest power of two whose 32766 levels stay above float's
/// underflow).
/// </summary>
public abstract class LnsStepBenchmarks<TCode> : KernelBenchmarks
    where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
{
    private TCode[] _codes = [];
    private float[] _g = [], _v = [];
    private LnsMadamSettings _s;
    private TorchLns? _torch;

    /// <summary>The format under test.</summary>
    protected abstract LnsFormat Format { get; }

    private LnsMadamSettings Settings => new(Format, 10, 0.01f, Rounding: RoundingMode.Stochastic, Seed: 42, TensorId: 3);

    private void Allocate()
    {
        _codes = BenchData.Codes(N, Format.Bits, 3).Select(TCode.CreateTruncating).ToArray();
        _g = BenchData.Gradient(N, 4);
        _v = new float[N];
        _s = Settings;
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
        TorchSelfCheck.Lns(Format);
        _s = Settings;
        _torch = new TorchLns(Format.Bits, BenchData.Codes(N, Format.Bits, 3), BenchData.Gradient(N, 4), new float[N]);
    }

    /// <summary>Frees the torch tensors.</summary>
    [GlobalCleanup(Target = nameof(TorchSharp))]
    public void CleanupTorch() => _torch?.Dispose();

    /// <summary>The scalar managed reference (ManagedKernels).</summary>
    [Benchmark(Baseline = true, Description = "managed reference")]
    public StepStats Reference() => Step(ManagedBackend.Instance);

    /// <summary>Vector256 + AVX2 Philox managed code (SimdKernels), one thread.</summary>
    [Benchmark(Description = "managed SIMD")]
    public StepStats Simd() => Step(ManagedSimdBackend.Instance);

    /// <summary>libhybrid through the backend (settings check, safe layer, native validation and step), one thread.</summary>
    [Benchmark(Description = "native, 1 thread")]
    public StepStats NativeOneThread() => Step(NativeCpuBackend.Instance);

    /// <summary>The same forced to AVX2 (a CPU without AVX-512).</summary>
    [Benchmark(Description = "native, 1 thread, AVX2")]
    public StepStats NativeAvx2() => Step(NativeCpuBackend.Instance);

    /// <summary>The same on all threads.</summary>
    [Benchmark(Description = "native, all threads")]
    public StepStats NativeAllThreads() => Step(NativeCpuBackend.Instance);

    /// <summary>TorchSharp tensor ops (<see cref="TorchLns"/>; torch.rand for the rounding).</summary>
    [Benchmark(Description = "TorchSharp ops")]
    public void TorchSharp() => _torch!.Step(_s);

    private StepStats Step(ISynapseBackend b) => _codes switch
    {
        byte[] c8 => b.LnsMadamStep(_s, c8, _g, _v),
        ushort[] c16 => b.LnsMadamStep(_s, c16, _g, _v),
        _ => throw new NotSupportedException(typeof(TCode).Name),
    };
}

/// <summary>LNS step, B = 8 on uint8 codes.</summary>
[BenchmarkCategory("lns-b8"), BytesPerElement(Traffic.LnsU8)]
public class LnsStepB8Benchmarks : LnsStepBenchmarks<byte>
{
    /// <inheritdoc />
    protected override LnsFormat Format => new(8, 8f, 1f);
}

/// <summary>LNS step, B = 16 on uint16 codes.</summary>
[BenchmarkCategory("lns-b16"), BytesPerElement(Traffic.LnsU16)]
public class LnsStepB16Benchmarks : LnsStepBenchmarks<ushort>
{
    /// <inheritdoc />
    protected override LnsFormat Format => new(16, 512f, 1f);
}
