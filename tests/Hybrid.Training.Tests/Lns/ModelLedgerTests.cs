using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using EnergyFormats = Hybrid.Synapse.Energy.StepFormats;
using Activation = Hybrid.Synapse.Energy.Activation;

namespace Hybrid.Training.Tests.Lns;

/// <summary>The bridge from a trained model to the step ledger (<see cref="ModelNetwork"/>, <see cref="ModelLedger"/>): the
/// traced network against the compare ledger's hand-written MLP, ModelWork's GEMM counts, counts made by hand, and the
/// dataflow of residual adds and attention.</summary>
public class ModelLedgerTests
{
    // LNS-Madam 8/12 full LNS, as compare's full rows: weights and activations lns8/8 nearest, errors and gradients stochastic
    private static readonly QuantizerSpec F = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Full = new(F, F, F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic });
    private static readonly NumberFormat Lns12 = NumberFormat.Lns(12, LnsModels.DefaultGamma(12));

    private static nn.Module<Tensor, Tensor> Build(ModelSpec spec, bool lns)
    {
        var model = ModelFactory.Build(spec, 0);
        if (lns)
            LnsConverter.Convert(model, new LnsConversionSettings(ManagedBackend.Instance) { Bits = 12, Arithmetic = Full });
        return model;
    }

    private static Tensor Sample(ModelSpec spec, long batch) => spec.Kind == ModelKind.Gpt
        ? torch.randint(0, spec.Classes, [batch, spec.InputShape[0]], ScalarType.Int64)
        : torch.zeros([batch, .. spec.InputShape]);

    private static readonly ModelSpec Mlp = new(ModelKind.Mlp, [1, 28, 28], 10, Depth: 2, Width: 32);
    private static readonly ModelSpec Cnn = new(ModelKind.Cnn, [1, 28, 28], 10, Depth: 1, Width: 32);
    private static readonly ModelSpec ResNet = new(ModelKind.ResNet, [1, 28, 28], 10, Depth: 1);
    private static readonly ModelSpec Gpt = new(ModelKind.Gpt, [8], 12, Depth: 1, Width: 16, Heads: 2);

    [TestCase("fp32")]
    [TestCase("lns-weights")]
    [TestCase("lns-full")]
    public void TheTracedMlpIsTheCompareLedgersHandWrittenNetwork(string row)
    {
        bool lns = row != "fp32";
        using var model = ModelFactory.Build(Mlp, 0);
        var arithmetic = row == "lns-full" ? Full : StepArithmetic.Off;
        if (lns) LnsConverter.Convert(model, new LnsConversionSettings(ManagedBackend.Instance) { Bits = 12, Arithmetic = arithmetic });
        var storage = lns ? Lns12 : NumberFormat.Fp32;
        // what CompareEnergy.Layers writes by hand for the same MLP and row
        var layers = new[]
        {
            arithmetic.CostSpec("fc1", 784, 32, true, storage), arithmetic.CostSpec("fc2", 32, 32, true, storage),
            arithmetic.CostSpec("out", 32, 10, true, storage),
        };
        var hand = StepCosts.Mlp(layers);
        using var x = Sample(Mlp, 4);
        var traced = ModelNetwork.Of(model, x);
        Assert.That(traced.Input, Is.EqualTo(hand.Input));
        Assert.That(traced.Layers.Select(ByValue), Is.EqualTo(hand.Layers.Select(ByValue)), "layer for layer: shapes, tensors, ReLU epilogues, formats, the loss");
        var update = lns ? new UpdateCostSpec(UpdateRule.LnsMadam) : new UpdateCostSpec(UpdateRule.Adam);
        Assert.That(ModelLedger.UpdateOf(model), Is.EqualTo(update));
        double a = ModelLedger.Price(model, x, EnergyTable.Horowitz45nm, MemoryHierarchy.Default, batch: 128).TotalPj;
        double b = StepCosts.Count(layers, 128, update).Price(EnergyTable.Horowitz45nm, MemoryHierarchy.Default).TotalPj;
        Assert.That(a, Is.EqualTo(b), "priced identically at batch 128");
    }

    // records compare lists by reference: a float op's inputs by value
    private static object ByValue(LayerSpec l) => l is FloatOpSpec f ? (f with { Inputs = [] }, string.Join("|", f.Inputs)) : l;

    private static bool IsMac(string evt) => evt.EndsWith("Mac", StringComparison.Ordinal);

    [TestCase(ModelKind.Cnn, false)]
    [TestCase(ModelKind.Cnn, true)]
    [TestCase(ModelKind.ResNet, false)]
    [TestCase(ModelKind.ResNet, true)]
    [TestCase(ModelKind.Gpt, false)]
    [TestCase(ModelKind.Gpt, true)]
    public void EveryGemmOfTheLedgerIsModelWorksGemm(ModelKind kind, bool lns)
    {
        var spec = kind switch { ModelKind.Cnn => Cnn, ModelKind.ResNet => ResNet, _ => Gpt };
        using var model = Build(spec, lns);
        using var x = Sample(spec, 2);
        var work = ModelWork.Trace(model, x).Where(w => w.Gemms.Count > 0).ToList();
        var ledger = ModelLedger.Count(model, x);
        var network = ModelNetwork.Of(model, x);
        Assert.That(work, Is.Not.Empty);
        foreach (var w in work)
        {
            string layer = w.Kind == nameof(SelfAttention) ? w.Layer + ".products" : w.Layer;
            foreach (var pass in new[] { Pass.Forward, Pass.BackwardData, Pass.BackwardWeight })
            {
                double counted = ledger.Compute.Where(c => c.Layer == layer && c.Pass == pass && IsMac(c.Event)).Sum(c => c.Count);
                Assert.That(counted, Is.EqualTo(w.Gemms.Where(g => g.Pass == pass).Sum(g => g.Macs)), $"{layer} {pass}");
            }
        }
        double all = ledger.Compute.Where(c => IsMac(c.Event)).Sum(c => c.Count);
        Assert.That(all, Is.EqualTo(work.Sum(w => w.Macs)), "no GEMM the model does not do");
        Assert.That(network.ForwardMacs * 2, Is.EqualTo(work.Sum(w => w.Gemms.Where(g => g.Pass == Pass.Forward).Sum(g => g.Macs))));
        if (lns)
            Assert.That(ledger.Compute.Where(c => IsMac(c.Event)).Select(c => c.Event).Distinct(), Is.EqualTo(new[] { "lns8Mac" }),
                "every GEMM on the LNS datapath");
    }

    [Test]
    public void OneConvolutionAndOneAttentionBlockCountedByHand()
    {
        // conv 3→8 (3×3, stride 2, padding 1) on 3×10×10 → 8×5×5, ReLU, conv 8→4 (3×3, padding 1) → 4×5×5
        using var convs = nn.Sequential(("c1", nn.Conv2d(3, 8, 3, stride: 2, padding: 1)), ("r", nn.ReLU()), ("c2", nn.Conv2d(8, 4, 3, padding: 1, bias: false)));
        using var x = torch.zeros(4, 3, 10, 10);
        var net = ModelNetwork.Of(convs, x, new ModelNetworkOptions { Loss = false });
        Assert.That(net.Layers, Is.EqualTo(new LayerSpec[]
        {
            new Conv2dSpec("c1", "images", "c1.out", 3, 8, 10, 10, 3, 2, 1, 1, 1, true, Activation.Relu) { Formats = TensorFormats.Float32 },
            new Conv2dSpec("c2", "c1.out", "logits", 8, 4, 5, 5, 3, 1, 1, 1, 1, false) { Formats = TensorFormats.Float32 },
        }));
        var ledger = StepCosts.Count(net, 4, EnergyFormats.Float32, new UpdateCostSpec(UpdateRule.Adam));
        double Macs(string layer, Pass pass) => ledger.Compute.Where(c => c.Layer == layer && c.Pass == pass && IsMac(c.Event)).Sum(c => c.Count);
        Assert.That(Macs("c1", Pass.Forward), Is.EqualTo(4 * 25 * 27 * 8), "M = 4·5·5, K = 3·3·3, N = 8");
        Assert.That(Macs("c1", Pass.BackwardData), Is.EqualTo(0), "the data needs no error");
        Assert.That(Macs("c2", Pass.BackwardData), Is.EqualTo(4 * 25 * 72 * 4));
        Assert.That(Macs("c2", Pass.BackwardWeight), Is.EqualTo(4 * 25 * 72 * 4));

        // B = 2, T = 5, d = 8, 2 heads of 4: Q·Kᵀ is B·H GEMMs of 5×4×5 and P·V of 5×5×4; backward two of each
        var attn = new SelfAttention("attn", 8, 2);
        using var h = torch.randn(2, 5, 8);
        var a = ModelNetwork.Of(attn, h, new ModelNetworkOptions { Loss = false });
        var products = a.Layers.OfType<AttentionSpec>().Single();
        Assert.That(products, Is.EqualTo(new AttentionSpec("products", "q.out", "k.out", "v.out", "products.out", 2, 5, 4, Causal: false, Fused: false)
            { Formats = TensorFormats.Float32 }), "as trained: every score computed, S and P stored");
        Assert.That(a.Layers.OfType<LinearSpec>().Select(l => (l.Name, l.Input, l.Rows)), Is.EqualTo(new[]
            { ("q", "images", 5L), ("k", "images", 5L), ("v", "images", 5L), ("o", "products.out", 5L) }));
        Assert.That(a.Layers.OfType<LinearSpec>().Last().Output, Is.EqualTo("logits"));
        var al = StepCosts.Count(a, 2, EnergyFormats.Float32, new UpdateCostSpec(UpdateRule.Adam));
        double Attn(Pass pass) => al.Compute.Where(c => c.Layer == "products" && c.Pass == pass && IsMac(c.Event)).Sum(c => c.Count);
        Assert.That(Attn(Pass.Forward), Is.EqualTo(2 * 2 * (5 * 4 * 5) + 2 * 2 * (5 * 5 * 4)));
        Assert.That(Attn(Pass.BackwardData), Is.EqualTo(2 * (2 * 2 * (5 * 4 * 5) + 2 * 2 * (5 * 5 * 4))));
        var skipped = ModelNetwork.Of(attn, h, new ModelNetworkOptions { Loss = false, SkipMaskedScores = true }).Layers.OfType<AttentionSpec>().Single();
        Assert.That(skipped.ForwardMacs, Is.EqualTo(2 * 2 * (5 * 6 / 2) * 4), "causal: T(T+1)/2 scores per head, both products");
    }

    [Test]
    public void AResNetsResidualAddsReadTheRightTensors()
    {
        using var model = Build(ResNet, lns: true);
        using var x = Sample(ResNet, 2);
        var net = ModelNetwork.Of(model, x);
        var adds = net.Layers.OfType<FloatOpSpec>().Where(f => f.Kind == FloatOpKind.ResidualAdd).ToList();
        Assert.That(adds.Select(f => (f.Name, f.Inputs[0], f.Inputs[1], f.Elements)), Is.EqualTo(new[]
        {
            ("blocks.0.add", "blocks.0.conv2.out", "stem.out", 16L * 28 * 28),          // identity shortcut: the block's input
            ("blocks.1.add", "blocks.1.conv2.out", "blocks.1.shortcut.out", 32L * 14 * 14), // 1×1 stride-2 shortcut
            ("blocks.2.add", "blocks.2.conv2.out", "blocks.2.shortcut.out", 64L * 7 * 7),
        }));
        var layer = net.Layers.ToDictionary(l => l.Name);
        Assert.That(((FloatOpSpec)layer["blocks.1.bn1"]).Inputs, Is.EqualTo(new[] { "blocks.0.add.out" }), "the next block reads the sum");
        Assert.That(((FloatOpSpec)layer["blocks.1.bn1"]).Activation, Is.EqualTo(Activation.Relu), "bn → ReLU fused");
        Assert.That(((Conv2dSpec)layer["blocks.1.shortcut"]).Input, Is.EqualTo("blocks.1.bn1.out"), "pre-activation shortcut: of act(bn1(x))");
        Assert.That(((Conv2dSpec)layer["blocks.1.conv1"]).Stride, Is.EqualTo(2));
        Assert.That(((Conv2dSpec)layer["stem"]).Formats, Is.EqualTo(new TensorFormats(Lns12, new TensorCost(F.Format, true), new TensorCost(F.Format, true),
            new TensorCost(F.Format, true, true), new TensorCost(F.Format, true, true))), "formats from the layer's own arithmetic");
        Assert.That(net.Layers.Select(l => l.Name).TakeLast(4), Is.EqualTo(new[] { "bn", "pool", "fc", "loss" }));
        Assert.That(((LinearSpec)layer["fc"]).Input, Is.EqualTo("pool.out"), "the flattened pool output is the pool's output (a view)");
        Assert.That(net.Parameters, Is.EqualTo(ModelFactory.ParameterCount(model)), "every parameter counted once");
    }

    [Test]
    public void AGptsAttentionAndResidualStreamReadTheRightTensors()
    {
        using var model = Build(Gpt, lns: true);
        using var x = Sample(Gpt, 3);
        var net = ModelNetwork.Of(model, x);
        var layer = net.Layers.ToDictionary(l => l.Name);
        Assert.That(net.Input, Is.EqualTo(new DataInput("tokens", 8, 1, Normalized: false, LabelBytes: 8)));
        var tok = (EmbeddingSpec)layer["tok"];
        Assert.That((tok.Ids, tok.Output, tok.Vocab, tok.Dim, tok.Tokens, tok.SparseUpdate), Is.EqualTo(("tokens", "tok.out", 12L, 16L, 8L, true)));
        Assert.That(tok.AddedTables, Is.EqualTo(new long[] { 8 }), "the positions: one table of context rows, added");
        Assert.That(tok.Formats!.WeightStorage, Is.EqualTo(Lns12));
        var attn = (AttentionSpec)layer["blocks.0.attn.products"];
        Assert.That((attn.Query, attn.Key, attn.Value, attn.Output, attn.Heads, attn.Tokens, attn.HeadDim),
            Is.EqualTo(("blocks.0.attn.q.out", "blocks.0.attn.k.out", "blocks.0.attn.v.out", "blocks.0.attn.products.out", 2L, 8L, 8L)));
        Assert.That(attn.Formats!.Activations, Is.EqualTo(new TensorCost(F.Format, true)), "the products' operands quantised");
        Assert.That(((LinearSpec)layer["blocks.0.attn.q"]).Input, Is.EqualTo("blocks.0.ln1.out"));
        Assert.That(((LinearSpec)layer["blocks.0.attn.o"]).Input, Is.EqualTo("blocks.0.attn.products.out"));
        Assert.That(((FloatOpSpec)layer["blocks.0.add1"]).Inputs, Is.EqualTo(new[] { "blocks.0.attn.o.out", "tok.out" }));
        Assert.That(((FloatOpSpec)layer["blocks.0.ln2"]).Inputs, Is.EqualTo(new[] { "blocks.0.add1.out" }));
        Assert.That(((LinearSpec)layer["blocks.0.fc1"]).Activation, Is.EqualTo(Activation.Gelu));
        Assert.That(((FloatOpSpec)layer["blocks.0.add2"]).Inputs, Is.EqualTo(new[] { "blocks.0.fc2.out", "blocks.0.add1.out" }));
        Assert.That(((LinearSpec)layer["head"]).Output, Is.EqualTo("logits"));
        Assert.That(((FloatOpSpec)layer["loss"]).Elements, Is.EqualTo(8 * 12));
    }

    [Test]
    public void AFullLnsResNetCostsLessComputeThanItsFloatTwin()
    {
        using var lns = Build(ResNet, lns: true);
        using var twin = Build(ResNet, lns: false);
        using var x = Sample(ResNet, 2);
        var a = ModelLedger.Price(lns, x, EnergyTable.Horowitz45nm, MemoryHierarchy.Default, batch: 32);
        var b = ModelLedger.Price(twin, x, EnergyTable.Horowitz45nm, MemoryHierarchy.Default, batch: 32);
        Assert.That(a.ComputePj, Is.LessThan(b.ComputePj / 2), $"LNS {a.ComputePj:E3} pJ vs float32 {b.ComputePj:E3} pJ");
        Assert.That(a.TotalPj, Is.LessThan(b.TotalPj));
    }

    [Test]
    public void WhatTheLedgerCannotPriceIsNamed()
    {
        using var tanh = nn.Sequential(("fc", nn.Linear(4, 4)), ("t", nn.Tanh()));
        using var x = torch.zeros(2, 4);
        var e = Assert.Throws<NotSupportedException>(() => ModelNetwork.Of(tanh, x))!;
        Assert.That(e.Message, Does.Contain("'t' (Tanh)"));
        using var relu = nn.Sequential(("r", nn.ReLU()), ("fc", nn.Linear(4, 4)));
        e = Assert.Throws<NotSupportedException>(() => ModelNetwork.Of(relu, x))!;
        Assert.That(e.Message, Does.Contain("'r' (ReLU)").And.Contain("epilogue"));
    }

    private sealed class Skip : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> fc = nn.Linear(4, 4);
        public Skip() : base("skip") => RegisterComponents();
        public override Tensor forward(Tensor x) => x + fc.call(x);
    }

    [Test]
    public void ArithmeticOutsideModulesMustBeDescribed()
    {
        using var model = new Skip();
        using var x = torch.zeros(2, 4);
        var e = Assert.Throws<NotSupportedException>(() => ModelNetwork.Of(model, x))!;
        Assert.That(e.Message, Does.Contain("(Skip)").And.Contain("INetworkPart"));
    }

    [Test]
    public void AResidualMlpsSumsAreTheTensorsTheNextLayerReads()
    {
        using var model = Build(new ModelSpec(ModelKind.ResidualMlp, [1, 28, 28], 10, Depth: 3, Width: 16), lns: false);
        using var x = torch.zeros(2, 1, 28, 28);
        var net = ModelNetwork.Of(model, x);
        Assert.That(net.Layers.Select(l => (l.Name, string.Join("+", l.Reads), l.Writes)), Is.EqualTo(new (string, string, string?)[]
        {
            ("fc1", "images", "fc1.out"), ("fc2", "fc1.out", "fc2.out"), ("add2", "fc1.out+fc2.out", "add2.out"),
            ("fc3", "add2.out", "fc3.out"), ("add3", "add2.out+fc3.out", "add3.out"), ("out", "add3.out", "logits"), ("loss", "logits", null),
        }));
    }
}
