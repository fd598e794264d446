using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// <see cref="LnsConv2d"/>: the float convolution on the decoded weights for every geometry (stride, padding,
/// dilation, groups, depthwise, padding modes), fast and exact GEMM modes within a stated tolerance, and the exact
/// im2col path bit-identical on every backend.
/// </summary>
public class ConvolutionTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Quantised = new(Lns8, Lns8, Lns8, Lns8);

    /// <summary>(in, out, kernel, stride, padding, dilation, groups, padding mode).</summary>
    public static IEnumerable<TestCaseData> Geometries()
    {
        yield return new TestCaseData(3L, 8L, 3L, 1L, 1L, 1L, 1L, PaddingModes.Zeros).SetName("3x3 same");
        yield return new TestCaseData(4L, 6L, 3L, 2L, 1L, 1L, 1L, PaddingModes.Zeros).SetName("3x3 stride 2");
        yield return new TestCaseData(4L, 4L, 3L, 1L, 2L, 2L, 1L, PaddingModes.Zeros).SetName("3x3 dilation 2");
        yield return new TestCaseData(4L, 8L, 3L, 1L, 1L, 1L, 2L, PaddingModes.Zeros).SetName("groups 2");
        yield return new TestCaseData(6L, 6L, 3L, 1L, 1L, 1L, 6L, PaddingModes.Zeros).SetName("depthwise");
        yield return new TestCaseData(3L, 5L, 1L, 2L, 0L, 1L, 1L, PaddingModes.Zeros).SetName("1x1 stride 2");
        yield return new TestCaseData(2L, 3L, 3L, 1L, 1L, 1L, 1L, PaddingModes.Reflect).SetName("reflect padding");
    }

    private static Conv2d Conv(long i, long o, long k, long s, long p, long d, long g, PaddingModes mode, bool bias = true)
    {
        torch.manual_seed(11);
        return nn.Conv2d(i, o, k, stride: s, padding: p, dilation: d, groups: g, bias: bias, padding_mode: mode);
    }

    [TestCaseSource(nameof(Geometries))]
    public void ComputesTheFloatConvolutionOfItsDecodedWeights(long i, long o, long k, long s, long p, long d, long g, PaddingModes mode)
    {
        using var conv = Conv(i, o, k, s, p, d, g, mode);
        using var lns = new LnsConv2d("c", conv, 8, 8, MomentMode.PerNeuron, 0, NativeCpuBackend.Instance);
        Assert.That(lns.Synapses.Rows, Is.EqualTo(o), "a row per output channel");
        Assert.That(lns.Synapses.Cols, Is.EqualTo(i / g * k * k), "(C_in/groups)·kh·kw synapses per row");
        using var x = torch.randn(2, i, 9, 9);
        using var reference = nn.Conv2d(i, o, k, stride: s, padding: p, dilation: d, groups: g, padding_mode: mode);
        using (torch.no_grad())
        {
            reference.weight.copy_(lns.Weight);
            reference.bias!.copy_(conv.bias!);
        }
        Assert.That(lns.call(x).allclose(reference.call(x), rtol: 1e-5, atol: 1e-6), Is.True);
    }

    [TestCaseSource(nameof(Geometries))]
    public void FastAndExactModesAgree(long i, long o, long k, long s, long p, long d, long g, PaddingModes mode)
    {
        using var conv = Conv(i, o, k, s, p, d, g, mode);
        var (yf, gwf, gxf) = Run(conv, Quantised, NativeCpuBackend.Instance);
        var (ye, gwe, gxe) = Run(conv, Quantised with { Gemm = GemmMode.Exact }, NativeCpuBackend.Instance);
        // the datapath drops products below 2^-24 of the largest and rounds once; the fold of the backward adds in float32
        TestContext.Out.WriteLine($"max relative difference: forward {Rel(ye, yf):E2}, ∇W {Rel(gwe, gwf):E2}, ∇x {Rel(gxe, gxf):E2}");
        Assert.That(Rel(ye, yf), Is.LessThan(1e-5), "forward");
        Assert.That(Rel(gwe, gwf), Is.LessThan(1e-5), "weight gradient");
        Assert.That(Rel(gxe, gxf), Is.LessThan(1e-5), "input gradient");
    }

    [Test]
    public void ExactIm2colPathIsIdenticalOnEveryBackend()
    {
        using var conv = Conv(4, 8, 3, 2, 1, 1, 2, PaddingModes.Zeros);
        var stochastic = Quantised with { Errors = Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, Gemm = GemmMode.Exact };
        var runs = Backends.All().Select(b => (b.Name, Run(conv, stochastic, b))).ToList();
        foreach (var (name, (y, gw, gx)) in runs.Skip(1))
        {
            Assert.That(y.data<float>().ToArray(), Is.EqualTo(runs[0].Item2.Y.data<float>().ToArray()), $"{name}: forward");
            Assert.That(gw.data<float>().ToArray(), Is.EqualTo(runs[0].Item2.GradW.data<float>().ToArray()), $"{name}: ∇W");
            Assert.That(gx.data<float>().ToArray(), Is.EqualTo(runs[0].Item2.GradX.data<float>().ToArray()), $"{name}: ∇x");
        }
    }

    [Test]
    public void ExactModeCountsTheIm2colGemmsMacs()
    {
        using var conv = Conv(4, 8, 3, 1, 1, 1, 2, PaddingModes.Zeros, bias: false);
        using var layer = new LnsConv2d("c", conv, 12, 128, MomentMode.PerSynapse, 0, ManagedBackend.Instance);
        layer.UseArithmetic(Quantised with { Gemm = GemmMode.Exact }, 0, 1);
        layer.train();
        using var x = torch.randn(2, 4, 5, 5, requires_grad: true);
        layer.call(x).sum().backward();
        long m = 2 * 5 * 5, k = 2 * 9, n = 4, groups = 2;
        Assert.That(layer.Arithmetic!.Stats.Gemm.Macs, Is.EqualTo(3 * m * k * n * groups), "forward, e·W and eᵀ·x per group");
        var work = layer.Work("c", [2, 4, 5, 5], inputNeedsGrad: true);
        Assert.That(work.Macs, Is.EqualTo(layer.Arithmetic.Stats.Gemm.Macs), "the layer's own description counts the same");
    }

    [Test]
    public void ASynapseStepMovesCodesAndDecodesThem()
    {
        using var conv = Conv(2, 3, 3, 1, 1, 1, 1, PaddingModes.Zeros);
        using var layer = new LnsConv2d("c", conv, 8, 8, MomentMode.PerNeuron, 4, NativeCpuBackend.Instance);
        var before = layer.Synapses.Codes8.ToArray();
        layer.call(torch.randn(4, 2, 6, 6)).square().sum().backward();
        var step = layer.Step(new LnsMadamSettings(layer.Synapses.Format, 1, 0.1f, Seed: 3));
        Assert.That(step.Stats.Changed, Is.GreaterThan(0));
        Assert.That(layer.Synapses.Codes8.ToArray(), Is.Not.EqualTo(before));
        var decoded = new float[before.Length];
        ManagedBackend.Instance.LnsDecode<byte>(layer.Synapses.Format, layer.Synapses.Codes8.ToArray(), decoded);
        Assert.That(layer.Weight.detach().data<float>().ToArray(), Is.EqualTo(decoded));
    }

    private static (Tensor Y, Tensor GradW, Tensor GradX) Run(Conv2d conv, StepArithmetic a, ISynapseBackend backend)
    {
        var layer = new LnsConv2d("c", conv, 12, 128, MomentMode.PerSynapse, 0, backend);
        layer.UseArithmetic(a, 0, 7);
        layer.train();
        torch.manual_seed(5);
        var x = torch.randn(2, conv.in_channels, 9, 9).relu().requires_grad_(true);
        var y = layer.call(x);
        (y * y).sum().backward();
        return (y.detach(), layer.Weight.grad!.detach().clone(), x.grad!.detach().clone());
    }

    private static double Rel(Tensor a, Tensor b) => ((a - b).abs().max() / b.abs().max()).item<float>();
}
