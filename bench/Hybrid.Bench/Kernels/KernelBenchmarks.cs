using BenchmarkDotNet.Attributes;
using Hybrid.Native;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// What every kernel benchmark class shares: the element count N, and the plain memory copy of
/// the same bytes that the "% copy" column divides by (one per class, N and job, in the same
/// run). Each case runs in its own process, so each [GlobalSetup] allocates only what its
/// method touches and sets libhybrid's thread count for it.
/// </summary>
public abstract class KernelBenchmarks
{
    private byte[] _copyFrom = [], _copyTo = [];

    /// <summary>Elements per tensor (see <see cref="BenchData.Sizes"/>).</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    /// <summary>The sizes to run (BenchmarkDotNet calls this on an instance of the concrete class).</summary>
    public virtual IEnumerable<int> Sizes() => BenchData.Sizes();

    /// <summary>Bytes per element this class's step moves (from its <see cref="BytesPerElementAttribute"/>).</summary>
    protected int BytesPerElement =>
        ((BytesPerElementAttribute)Attribute.GetCustomAttribute(GetType(), typeof(BytesPerElementAttribute))!).Bytes;

    /// <summary>Setup of the copy: two buffers of N·bytes/2 each, so one copy reads and writes N·bytes in all.</summary>
    [GlobalSetup(Target = nameof(Copy))]
    public void SetupCopy()
    {
        long half = (long)N * BytesPerElement / 2;
        _copyFrom = new byte[half];
        _copyTo = new byte[half];
        new Random(1).NextBytes(_copyFrom);
        _copyTo.AsSpan().Fill(1);   // touch every page before timing
    }

    /// <summary>A plain memory copy of the step's bytes (Span.CopyTo, i.e. the runtime's memmove).</summary>
    [Benchmark(Description = "copy (same bytes)")]
    public void Copy() => _copyFrom.AsSpan().CopyTo(_copyTo);

    /// <summary>libhybrid on one thread.</summary>
    protected static void UseOneNativeThread() => CpuKernels.Threads = 1;

    /// <summary>libhybrid on every core (its OpenMP default).</summary>
    protected static void UseAllNativeThreads() => CpuKernels.Threads = 0;

    /// <summary>libhybrid's CPU kernels forced to AVX2 (what a CPU without AVX-512 runs); each case runs in
    /// its own process, so the others keep the widest level.</summary>
    protected static void UseAvx2() => CpuKernels.Simd = Hybrid.Native.Interop.HybSimdLevel.Avx2;

    // CUDA: device-resident timings are native/bench/bench_cuda.cu (scripts/gpu-check.sh). To time
    // CUDA here too, add to each kernel class a benchmark with device-resident buffers, e.g.
    //     [Benchmark(Description = "CUDA"), RequiresCuda] public void Cuda() => ...;
    // with its own [GlobalSetup(Target = nameof(Cuda))] (upload once, synchronise after each
    // step). BenchConfig drops [RequiresCuda] benchmarks where the backend is unavailable.
}

/// <summary>Marks a benchmark that needs a CUDA device; <see cref="BenchConfig"/> filters it out where none is usable.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresCudaAttribute : Attribute;
