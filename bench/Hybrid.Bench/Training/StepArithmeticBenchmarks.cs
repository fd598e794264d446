using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using Hybrid.Training.Optimizers;
using RoundingMode = Hybrid.Synapse.RoundingMode;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Training;

/// <summary>
/// One training step — forward, cross-entropy, backward, update — of the default MLP (784-256-256-10,
/// batch 128) with LNS arithmetic in the whole step, beside TorchSharp float32 Adam (the baseline):
/// full LNS as <c>hybrid compare --preset lns-madam</c> runs it (weights stored at 12 bits, every GEMM
/// tensor in lns8/8: weights and activations nearest, errors and gradients stochastic; the authors'
/// update) in fast mode (grid values, float32 GEMMs) and in exact mode (the LNS datapath), and the FP8
/// baseline. The fast-mode target (issue 10): at most 1.5× the float32 step.
/// </summary>
[BenchmarkCategory("TrainingStep")]
public class StepArithmeticBenchmarks
{
    private nn.Module<Tensor, Tensor> _adamModel = null!, _fastModel = null!, _exactModel = null!, _fp8Model = null!;
    private optim.Optimizer _adam = null!, _fast = null!, _exact = null!, _fp8 = null!;
    private Tensor _x = null!, _y = null!;

    private static readonly QuantizerSpec Near = new(Synapse.Arithmetic.NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Full = new(Near, Near, Near with { Rounding = RoundingMode.Stochastic },
        Near with { Rounding = RoundingMode.Stochastic });

    /// <summary>Builds the models from one seed and one random batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, Depth: 2, Width: 256);
        _adamModel = ModelFactory.Build(spec, 1);
        _adam = torch.optim.Adam(_adamModel.parameters(), 1e-3);
        (_fastModel, _fast) = Lns(spec, Full);
        (_exactModel, _exact) = Lns(spec, Full with { Gemm = GemmMode.Exact });
        var e4m3 = new QuantizerSpec(Synapse.Arithmetic.NumberFormat.Fp8E4M3);
        var e5m2 = new QuantizerSpec(Synapse.Arithmetic.NumberFormat.Fp8E5M2);
        _fp8Model = LnsModels.Quantized(ModelFactory.Build(spec, 1), new StepArithmetic(e4m3, e4m3, e5m2, e5m2), 1, NativeCpuBackend.Instance);
        _fp8 = torch.optim.Adam(_fp8Model.parameters(), 1e-3);
        var gen = new torch.Generator(7);
        _x = torch.rand([128, 1, 28, 28], generator: gen);
        _y = torch.randint(0, 10, [128], generator: gen);
    }

    private static (nn.Module<Tensor, Tensor>, optim.Optimizer) Lns(ModelSpec spec, StepArithmetic a)
    {
        var m = LnsModels.FromFloat(ModelFactory.Build(spec, 1), 12, LnsModels.DefaultGamma(12), MomentMode.PerSynapse, NativeCpuBackend.Instance);
        LnsModels.WithArithmetic(m, a, 1);
        var o = new LnsMadamOptimizer(m, new LnsMadamSettings(new LnsFormat(12, 128, 1), 1, (float)(Math.Log(2) / 128),
            Rounding: RoundingMode.Nearest, Seed: 1, NonFinite: NonFinitePolicy.Skip, RoundGradient: true));
        return (m, o);
    }

    private void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt) => StepTiming.Step(model, opt, _x, _y);

    /// <summary>TorchSharp float32 Adam.</summary>
    [Benchmark(Baseline = true)]
    public void Float32Adam() => Step(_adamModel, _adam);

    /// <summary>Full LNS, fast GEMMs.</summary>
    [Benchmark]
    public void FullLnsFast() => Step(_fastModel, _fast);

    /// <summary>Full LNS, exact GEMMs (the LNS datapath).</summary>
    [Benchmark]
    public void FullLnsExact() => Step(_exactModel, _exact);

    /// <summary>FP8 (E4M3/E5M2) fake quantisation, Adam.</summary>
    [Benchmark]
    public void Fp8Adam() => Step(_fp8Model, _fp8);

    /// <summary>Frees the models and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var d in new IDisposable[] { _adam, _fast, _exact, _fp8, _adamModel, _fastModel, _exactModel, _fp8Model, _x, _y }) d.Dispose();
    }
}
