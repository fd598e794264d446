using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// Attention's two activation products through the quantisers and GEMM modes: both operands on their grids, the
/// error quantised, fast and exact modes within a stated tolerance, and the exact products bit-identical on every
/// backend; the attention block converted as a whole.
/// </summary>
public class AttentionTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Quantised = new(Lns8, Lns8, Lns8, Lns8);

    [Test]
    public void BothOperandsAreQuantisedAndTheErrorToo()
    {
        using var product = new ActivationProduct("qk");
        product.UseArithmetic(Quantised, 0, 3, ManagedBackend.Instance);
        product.train();
        torch.manual_seed(2);
        using var a = torch.randn(2, 3, 5, 4, requires_grad: true);
        using var b = torch.randn(2, 3, 4, 6, requires_grad: true);
        var y = product.call(a, b);
        var expected = torch.matmul(Grid(a), Grid(b.transpose(-2, -1)).transpose(-2, -1));
        Assert.That(y.allclose(expected, rtol: 1e-6, atol: 1e-6), Is.True, "y = Q(A)·Q(B), each on its own grid");
        (y * y).sum().backward();
        var stats = product.Arithmetic!.Stats.Quantizers;
        Assert.That(stats[TensorRole.Activations].Elements, Is.EqualTo(a.numel()));
        Assert.That(stats[TensorRole.Weights].Elements, Is.EqualTo(b.numel()), "the second operand, in the weights slot");
        Assert.That(stats[TensorRole.Errors].Elements, Is.EqualTo(y.numel()));
        Assert.That(stats.ContainsKey(TensorRole.Gradients), Is.False, "no weight, no gradient quantiser");
        // ∂A = E·Q(B)ᵀ with E the quantised error: on the error grid times grid values, exactly what matmul gives
        var e = Grid((2 * y).detach());
        Assert.That(a.grad!.allclose(torch.matmul(e, Grid(b.transpose(-2, -1))), rtol: 1e-5, atol: 1e-5), Is.True);
    }

    [Test]
    public void FastAndExactAttentionAgree()
    {
        var (yf, gf, xf) = Attention(GemmMode.Fast, NativeCpuBackend.Instance);
        var (ye, ge, xe) = Attention(GemmMode.Exact, NativeCpuBackend.Instance);
        TestContext.Out.WriteLine($"max relative difference: output {Rel(ye, yf):E2}, ∇W_q {Rel(ge, gf):E2}, ∇x {Rel(xe, xf):E2}");
        // both products and all four projections on the datapath; softmax in float32 between them
        Assert.That(Rel(ye, yf), Is.LessThan(1e-5), "output");
        Assert.That(Rel(ge, gf), Is.LessThan(1e-5), "q projection's weight gradient");
        Assert.That(Rel(xe, xf), Is.LessThan(1e-5), "input gradient");
    }

    [Test]
    public void ExactAttentionIsIdenticalOnEveryBackend()
    {
        var runs = Backends.All().Select(b => (b.Name, Run: Attention(GemmMode.Exact, b, stochastic: true))).ToList();
        foreach (var (name, (y, g, x)) in runs.Skip(1))
        {
            Assert.That(y.data<float>().ToArray(), Is.EqualTo(runs[0].Run.Y.data<float>().ToArray()), $"{name}: output");
            Assert.That(g.data<float>().ToArray(), Is.EqualTo(runs[0].Run.GradW.data<float>().ToArray()), $"{name}: ∇W_q");
            Assert.That(x.data<float>().ToArray(), Is.EqualTo(runs[0].Run.GradX.data<float>().ToArray()), $"{name}: ∇x");
        }
    }

    [Test]
    public void CausalAttentionIgnoresTheFuture()
    {
        torch.manual_seed(4);
        using var attn = new SelfAttention("attn", 8, 2);
        using var x = torch.randn(1, 5, 8);
        using var changed = x.clone();
        changed[0, 4] = torch.randn(8);
        using var y0 = attn.call(x);
        using var y1 = attn.call(changed);
        Assert.That(y0[0, ..4].allclose(y1[0, ..4]), Is.True, "positions 0..3 do not see position 4");
        Assert.That(y0[0, 4].allclose(y1[0, 4]), Is.False);
    }

    private static (Tensor Y, Tensor GradW, Tensor GradX) Attention(GemmMode mode, ISynapseBackend backend, bool stochastic = false)
    {
        torch.manual_seed(9);
        var attn = new SelfAttention("attn", 16, 4);
        var errors = stochastic ? Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic } : Lns8;
        LnsConverter.Convert(attn, new LnsConversionSettings(backend)
        {
            Bits = 12, Arithmetic = Quantised with { Errors = errors, Gemm = mode }, Seed = 1,
        });
        attn.train();
        torch.manual_seed(10);
        var x = torch.randn(2, 6, 16).requires_grad_(true);
        var y = attn.call(x);
        (y * y).sum().backward();
        var q = attn.modules().OfType<LnsLinear>().First();
        return (y.detach(), q.Weight.grad!.detach().clone(), x.grad!.detach().clone());
    }

    // the activation quantiser's grid at the tensor's own max |x|, nearest rounding (the managed reference)
    private static Tensor Grid(Tensor t)
    {
        var y = t.detach().contiguous().clone();
        float s = y.abs().max().item<float>();
        var span = TensorMemory.Float32(y, "t");
        ManagedBackend.Instance.LnsQuantize(new LnsQuantizeSettings(new LnsFormat(8, 8, s)), span, span);
        return y;
    }

    private static double Rel(Tensor a, Tensor b) => ((a - b).abs().max() / b.abs().max()).item<float>();
}
