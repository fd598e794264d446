using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>The layers' descriptions of their own work (what the ledger prices), checked against counts made by hand.</summary>
public class LayerWorkTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));

    [Test]
    public void AConvolutionIsItsIm2colGemm()
    {
        // 3 → 8 channels, 3×3, stride 2, padding 1, on [4, 3, 10, 10]: output 5×5; M = 4·25, K = 27, N = 8
        using var conv = nn.Conv2d(3, 8, 3, stride: 2, padding: 1);
        using var layer = new LnsConv2d("c", conv, 8, 8, MomentMode.PerNeuron, 0, ManagedBackend.Instance);
        layer.UseArithmetic(new StepArithmetic(Lns8, Lns8, Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, Lns8), 0, 1);
        var w = layer.Work("c", [4, 3, 10, 10], inputNeedsGrad: true);
        Assert.That(w.Gemms.Select(g => (g.Pass, g.M, g.K, g.N, g.Count)), Is.EqualTo(new[]
        {
            (Pass.Forward, 100L, 27L, 8L, 1L), (Pass.BackwardData, 100L, 8L, 27L, 1L), (Pass.BackwardWeight, 8L, 100L, 27L, 1L),
        }));
        Assert.That(w.Macs, Is.EqualTo(3 * 100 * 27 * 8));
        Assert.That(w.Gemms[0].A, Is.EqualTo(new TensorCost(NumberFormat.Lns(8, 8), true)));
        Assert.That(w.Gemms[1].A.Stochastic, Is.True, "the error operand comes from the stochastic error quantiser");
        Assert.That(w.Quantizers.Select(q => (q.Role, q.Elements)), Is.EquivalentTo(new[]
        {
            (TensorRole.Weights, 8L * 27), (TensorRole.Activations, 4L * 3 * 100), (TensorRole.Errors, 4L * 8 * 25), (TensorRole.Gradients, 8L * 27),
        }));
        Assert.That(w.Update, Is.EqualTo(new UpdateWork(8, 27, 8, NumberFormat.Lns(8, 8), MomentMode.PerNeuron, false)));
        Assert.That(w.FloatParameters, Is.EqualTo(8), "the bias");
        Assert.That(w.FloatOps.Sum(o => o.Elements), Is.EqualTo(2 * 4 * 8 * 25), "bias add forward, bias gradient backward");
        var first = layer.Work("c", [4, 3, 10, 10], inputNeedsGrad: false);
        Assert.That(first.Gemms.Select(g => g.Pass), Has.None.EqualTo(Pass.BackwardData), "the first layer computes no input error");
    }

    [Test]
    public void ADepthwiseConvolutionIsOneGemmPerGroup()
    {
        using var conv = nn.Conv2d(6, 6, 3, padding: 1, groups: 6, bias: false);
        var w = ModelWork.Describe("dw", conv, [2, 6, 7, 7], true)!;
        Assert.That(w.Gemms[0], Is.EqualTo(new GemmWork(Pass.Forward, "x·Wᵀ", 2 * 49, 9, 1, 6, TensorCost.Float, TensorCost.Float, GemmMode.Fast)));
    }

    [Test]
    public void AnAttentionBlockCountsItsProductsByHand()
    {
        // B = 2, T = 5, d = 8, 2 heads (d_head 4): Q·Kᵀ is 2·2 GEMMs of 5×4×5, P·V of 5×5×4
        var attn = new SelfAttention("attn", 8, 2);
        LnsConverter.Convert(attn, new LnsConversionSettings(ManagedBackend.Instance) { Arithmetic = new StepArithmetic(Lns8, Lns8, Lns8, Lns8) });
        using var x = torch.randn(2, 5, 8);
        var trace = ModelWork.Trace(attn, x);
        var block = trace.Single(t => t.Kind == nameof(SelfAttention));
        long products = 3 * (4 * 5 * 4 * 5) + 3 * (4 * 5 * 5 * 4);
        Assert.That(block.Macs, Is.EqualTo(products));
        Assert.That(block.Gemms.All(g => g.A.Quantized && g.B.Quantized), Is.True, "both operands of every product quantised");
        Assert.That(block.Gemms.Select(g => (g.Pass, g.What)).Take(3), Is.EqualTo(new[]
            { (Pass.Forward, "Q·Kᵀ"), (Pass.BackwardData, "∂Q = e·K"), (Pass.BackwardData, "∂K = eᵀ·Q") }));
        Assert.That(block.FloatOps.Where(o => o.Op == FloatOp.Softmax).Sum(o => o.Elements), Is.EqualTo(2 * 2 * 5 * 5 * 2), "B·H·T·T, forward and backward");
        var projections = trace.Where(t => t.Kind == nameof(LnsLinear)).ToList();
        Assert.That(projections.Select(p => p.Layer), Is.EqualTo(new[] { "q", "k", "v", "o" }));
        Assert.That(projections.Sum(p => p.Macs), Is.EqualTo(4 * 3 * 10 * 8 * 8 - 3 * 10 * 8 * 8),
            "four projections of 10×8×8 in three passes, less q/k/v's backward-data: the block's input needs no error here");
    }

    [Test]
    public void TracingAModelCoversEveryLayerAndChangesNothing()
    {
        var spec = new ModelSpec(ModelKind.Gpt, [8], 12, Depth: 1, Width: 8, Heads: 2);
        using var model = ModelFactory.Build(spec, 0);
        LnsConverter.Convert(model, new LnsConversionSettings(ManagedBackend.Instance) { Arithmetic = new StepArithmetic(Lns8, Lns8, Lns8, Lns8) });
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var idx = torch.randint(0, 12, [3, 8], ScalarType.Int64);
        var trace = ModelWork.Trace(model, idx);
        Assert.That(trace.Select(t => t.Kind).Distinct(), Is.SupersetOf(new[]
            { nameof(Gpt), nameof(LnsEmbedding), nameof(GptBlock), nameof(TorchSharp.Modules.LayerNorm), nameof(SelfAttention), nameof(LnsLinear), nameof(TorchSharp.Modules.GELU) }));
        Assert.That(trace.Where(t => t.Kind.Contains("not described")), Is.Empty);
        var tok = trace.First(t => t.Kind == nameof(LnsEmbedding));
        Assert.That(tok.Lookups.Single(), Is.EqualTo(new LookupWork(24, 8, 12, NumberFormat.Lns(8, 8))));
        Assert.That(tok.Update!.Sparse, Is.True);
        foreach (var (k, v) in model.state_dict()) Assert.That(v.equal(state[k]).all().item<bool>(), Is.True, $"{k} unchanged by the trace");
        var head = trace.Last(t => t.Kind == nameof(LnsLinear));
        Assert.That(head.Gemms[0], Is.EqualTo(new GemmWork(Pass.Forward, "x·Wᵀ", 24, 8, 12, 1, new TensorCost(NumberFormat.Lns(8, 8), true),
            new TensorCost(NumberFormat.Lns(8, 8), true), GemmMode.Fast)));
    }

    [Test]
    public void TheResNetsResidualAddsAreCounted()
    {
        using var model = ModelFactory.Build(new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 1), 0);
        var trace = ModelWork.Trace(model, torch.zeros(2, 1, 28, 28));
        var adds = trace.Where(t => t.Kind == nameof(PreActBlock)).Select(t => t.FloatOps[0].Elements).ToList();
        Assert.That(adds, Is.EqualTo(new long[] { 2 * 16 * 28 * 28, 2 * 32 * 14 * 14, 2 * 64 * 7 * 7 }));
        Assert.That(trace.Count(t => t.Kind == nameof(TorchSharp.Modules.Conv2d)), Is.EqualTo(9), "stem, 6 in blocks, 2 shortcuts");
        Assert.That(trace.First(t => t.Kind == nameof(TorchSharp.Modules.Conv2d)).Gemms.Any(g => g.Pass == Pass.BackwardData), Is.False,
            "the stem's input is the data");
    }
}
