using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Twin;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Kernels;

/// <summary>A GEMM's shape C[M×N] = A[M×K]·B[K×N]; its name is what the tables show.</summary>
public sealed record GemmShape(string Name, int M, int K, int N)
{
    /// <summary>Multiply-accumulates of one call.</summary>
    public long Macs => (long)M * K * N;
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// The exact LNS GEMM (8-bit codes, γ = 8, 32-bit accumulators with 24 fraction bits: LNS-Madam's GEMM
/// format) on the three GEMM shapes of the default MLP's training step at batch 128, beside TorchSharp's
/// float32 matmul on the same shapes (the baseline). A is the activations or errors: with
/// <see cref="ZeroFraction"/> 0.5 half its codes are zero, as after a ReLU (the datapath skips a zero
/// operand's row of products; the G MAC/s column still counts them). The exact-mode target (issue 10):
/// at least 1 G MAC/s on our 2 cores.
/// </summary>
[BenchmarkCategory("ExactGemm")]
public class ExactGemmBenchmarks
{
    private byte[] _a = [], _b = [];
    private float[] _c = [];
    private LnsGemmSettings _s;
    private Tensor _fa = null!, _fb = null!;

    /// <summary>The shapes: fc1 forward (and, transposed, backward-weight), fc2 forward and backward-data.</summary>
    public static IEnumerable<GemmShape> Shapes() =>
    [
        new("fc1 fwd 128x784x256", 128, 784, 256),
        new("fc1 bwd-w 256x128x784", 256, 128, 784),
        new("fc2 128x256x256", 128, 256, 256),
    ];

    /// <summary>The shape.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    /// <summary>Fraction of A's codes that are zero.</summary>
    [Params(0.0, 0.5)]
    public double ZeroFraction { get; set; }

    /// <summary>Random codes (magnitudes over the first ~5 octaves, as max-abs-scaled tensors have) and float operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        byte Code(double zero) => r.NextDouble() < zero ? (byte)127 : (byte)(r.Next(40) | (r.Next(2) << 7));
        _a = Enumerable.Range(0, Shape.M * Shape.K).Select(_ => Code(ZeroFraction)).ToArray();
        _b = Enumerable.Range(0, Shape.K * Shape.N).Select(_ => Code(0)).ToArray();
        _c = new float[Shape.M * Shape.N];
        var f = new LnsFormat(8, 8, 1f);
        _s = new LnsGemmSettings(f, f, Shape.M, Shape.K, Shape.N, 32, 24);
        var a = new float[_a.Length];
        var b = new float[_b.Length];
        ManagedBackend.Instance.LnsDecode<byte>(f, _a, a);
        ManagedBackend.Instance.LnsDecode<byte>(f, _b, b);
        _fa = torch.tensor(a, [Shape.M, Shape.K]);
        _fb = torch.tensor(b, [Shape.K, Shape.N]);
    }

    /// <summary>TorchSharp float32 matmul of the decoded operands.</summary>
    [Benchmark(Baseline = true)]
    public void TorchMatmulFloat32()
    {
        using var c = _fa.matmul(_fb);
    }

    /// <summary>libhybrid's exact GEMM on all threads.</summary>
    [Benchmark]
    public void ExactNativeAllThreads()
    {
        SynapseBackends.NativeThreads = 0;
        NativeCpuBackend.Instance.LnsGemmExact<byte>(_s, _a, _b, _c);
    }

    /// <summary>libhybrid's exact GEMM on one thread.</summary>
    [Benchmark]
    public void ExactNativeOneThread()
    {
        SynapseBackends.NativeThreads = 1;
        NativeCpuBackend.Instance.LnsGemmExact<byte>(_s, _a, _b, _c);
        SynapseBackends.NativeThreads = 0;
    }

    /// <summary>The managed twin (the scalar reference).</summary>
    [Benchmark]
    public void ExactManagedTwin() => ArithmeticKernels.LnsGemmExact<byte>(_s, _a, _b, _c);

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _fa.Dispose();
        _fb.Dispose();
    }
}
