using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>The converter: any module tree, in place, with a table of what it converted and what stays float.</summary>
public class ConverterTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));

    private static LnsConversionSettings Settings(int bits = 16) =>
        new(NativeCpuBackend.Instance) { Bits = bits, Gamma = LnsModels.DefaultGamma(bits) };

    /// <summary>A model a user defines: fields typed as modules, a list, a shared layer, a residual add.</summary>
    private sealed class UserNet : nn.Module<Tensor, Tensor>
    {
        private nn.Module<Tensor, Tensor> conv = nn.Conv2d(1, 4, 3, padding: 1), fc;
        private readonly List<nn.Module<Tensor, Tensor>> hidden = [nn.Linear(8, 8), nn.Linear(8, 8)];
        private readonly nn.Module<Tensor, Tensor> act = nn.ReLU(), norm = nn.LayerNorm(8);

        public UserNet() : base(nameof(UserNet))
        {
            fc = nn.Linear(4 * 4 * 4, 8);
            register_module("conv", conv);
            register_module("fc", fc);
            register_module("h0", hidden[0]);
            register_module("h1", hidden[1]);
            register_module("act", act);
            register_module("norm", norm);
        }

        public override Tensor forward(Tensor x)
        {
            var h = act.call(conv.call(x));
            h = nn.functional.max_pool2d(h, 2).flatten(1);
            h = fc.call(h);
            foreach (var l in hidden) h = h + act.call(l.call(norm.call(h)));
            return h;
        }
    }

    [Test]
    public void AUserDefinedModelIsConvertedInPlaceWithItsTable()
    {
        torch.manual_seed(3);
        using var model = new UserNet();
        using var x = torch.randn(2, 1, 8, 8);
        using var before = model.call(x).detach();
        var keys = model.state_dict().Keys.ToList();
        var result = LnsConverter.Convert(model, Settings());
        Assert.That(result.Model, Is.SameAs(model), "converted in place");
        Assert.That(result.Converted.Select(r => (r.Path, r.To)), Is.EquivalentTo(new[]
        {
            ("conv", nameof(LnsConv2d)), ("fc", nameof(LnsLinear)), ("h0", nameof(LnsLinear)), ("h1", nameof(LnsLinear)),
        }));
        Assert.That(result.Float.Select(r => r.Path), Is.EquivalentTo(new[] { "act", "norm" }));
        Assert.That(result.Float.Single(r => r.Path == "norm").Detail, Does.Contain("normalisation"));
        Assert.That(model.modules().OfType<ISynapseLayer>().Count(), Is.EqualTo(4), "the forward uses the new layers (fields and list)");
        var after = model.state_dict().Keys.ToList();
        Assert.That(after.Where(k => !k.EndsWith("codes") && !k.EndsWith("moments") && !k.EndsWith("w_max")), Is.EqualTo(keys),
            "parameter names and order kept; the synapse state is added beside them");
        using var y = model.call(x).detach();
        Assert.That((y - before).abs().max().item<float>(), Is.LessThan(2e-3f * before.abs().max().item<float>()),
            "16-bit synapses: the converted model computes what the float one did");
        var ids = model.modules().OfType<ISynapseLayer>().Select(l => l.Synapses.TensorId).ToList();
        Assert.That(ids, Is.EqualTo(new uint[] { 0, 1, 2, 3 }), "tensor ids in module order");
    }

    private sealed class TypedField : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc = nn.Linear(3, 2);
        public TypedField() : base(nameof(TypedField)) => RegisterComponents();
        public override Tensor forward(Tensor x) => fc.call(x);
    }

    [Test]
    public void AFieldThatCannotHoldTheLnsLayerIsNamed()
    {
        using var model = new TypedField();
        var e = Assert.Throws<ArgumentException>(() => LnsConverter.Convert(model, Settings()))!;
        Assert.That(e.Message, Does.Contain("field 'fc'").And.Contain("Linear").And.Contain("nn.Module<Tensor, Tensor>"));
    }

    [Test]
    public void ASharedLayerIsConvertedOnceAndStaysShared()
    {
        var shared = nn.Linear(4, 4);
        using var model = nn.Sequential(("a", shared), ("relu", nn.ReLU()), ("b", shared));
        var result = LnsConverter.Convert(model, Settings(8));
        var layers = model.children().ToList();
        Assert.That(layers[0], Is.InstanceOf<LnsLinear>());
        Assert.That(layers[2], Is.SameAs(layers[0]), "one synapse tensor behind both uses");
        Assert.That(result.Converted.Count(), Is.EqualTo(1));
    }

    [Test]
    public void TorchSharpsNativeAttentionStaysFloatAndSaysWhy()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("mha", new MhaWrapper()));
        var result = LnsConverter.Convert(model, Settings(8));
        var row = result.Layers.Single(r => r.Path == "mha.mha");
        Assert.That(row.Converted, Is.False);
        Assert.That(row.Detail, Does.Contain("natively").And.Contain("SelfAttention"));
    }

    private sealed class MhaWrapper : nn.Module<Tensor, Tensor>
    {
        private readonly MultiheadAttention mha = nn.MultiheadAttention(4, 2);
        public MhaWrapper() : base(nameof(MhaWrapper)) => RegisterComponents();
        public override Tensor forward(Tensor x) => mha.call(x, x, x).Item1;
    }

    [TestCase(ModelKind.Cnn)]
    [TestCase(ModelKind.ResNet)]
    public void ImageModelsConvertEveryConvolutionAndLinearLayer(ModelKind kind)
    {
        var spec = new ModelSpec(kind, [1, 28, 28], 10, Depth: 1, Width: 16);
        using var model = ModelFactory.Build(spec, 0);
        var result = LnsConverter.Convert(model, Settings(8));
        int expectedConvs = kind == ModelKind.Cnn ? 2 : 1 + 2 * 3 + 2; // stem, two per block, two 1×1 shortcuts
        Assert.That(result.Converted.Count(r => r.To == nameof(LnsConv2d)), Is.EqualTo(expectedConvs));
        Assert.That(result.Converted.Count(r => r.To == nameof(LnsLinear)), Is.EqualTo(kind == ModelKind.Cnn ? 2 : 1));
        if (kind == ModelKind.ResNet)
            Assert.That(result.Float.Count(r => r.From == nameof(BatchNorm2d)), Is.EqualTo(2 * 3 + 1), "batch norms stay float32");
        using var x = torch.randn(2, 1, 28, 28);
        Assert.That(model.call(x).shape, Is.EqualTo(new long[] { 2, 10 }));
    }

    [Test]
    public void TheGptConvertsEmbeddingsProjectionsAndProducts()
    {
        var spec = new ModelSpec(ModelKind.Gpt, [16], 20, Depth: 2, Width: 16, Heads: 2);
        using var model = ModelFactory.Build(spec, 0);
        var arithmetic = new StepArithmetic(Lns8, Lns8, Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, Lns8);
        var result = LnsConverter.Convert(model, Settings(12) with { Arithmetic = arithmetic, Seed = 5 });
        Assert.That(result.Converted.Count(r => r.To == nameof(LnsEmbedding)), Is.EqualTo(2));
        Assert.That(result.Converted.Count(r => r.To == nameof(LnsLinear)), Is.EqualTo(2 * 6 + 1), "q, k, v, o, fc1, fc2 per block, and the head");
        Assert.That(result.Converted.Count(r => r.To == nameof(ActivationProduct)), Is.EqualTo(2 * 2));
        Assert.That(result.Float.Select(r => r.From).Distinct(), Is.EquivalentTo(new[] { nameof(LayerNorm), nameof(GELU) }));
        var embeddings = model.modules().OfType<LnsEmbedding>().ToList();
        Assert.That(embeddings[1].FirstTensorId, Is.EqualTo(embeddings[0].FirstTensorId + 20), "a table takes one id per row");
        Assert.That(model.modules().OfType<ActivationProduct>().All(p => p.Arithmetic is not null), Is.True);
        using var idx = torch.randint(0, 20, [3, 16], ScalarType.Int64);
        Assert.That(model.call(idx).shape, Is.EqualTo(new long[] { 3, 16, 20 }));
    }

    [Test]
    public void FloatStorageGivesTheQuantisedBaselines()
    {
        var spec = new ModelSpec(ModelKind.Gpt, [8], 12, Depth: 1, Width: 8, Heads: 2);
        using var model = ModelFactory.Build(spec, 0);
        var fp8 = new QuantizerSpec(NumberFormat.Fp8E4M3);
        var result = LnsConverter.Convert(model, Settings() with { Storage = WeightStorage.Float, Arithmetic = new StepArithmetic(fp8, fp8, fp8, fp8) });
        Assert.That(result.Converted.Select(r => r.To).Distinct(),
            Is.EquivalentTo(new[] { nameof(QuantizedEmbedding), nameof(QuantizedLinear), nameof(ActivationProduct) }));
        Assert.That(model.modules().OfType<ISynapseLayer>(), Is.Empty);
    }

    [Test]
    public void PerLayerTypeRulesOverrideTheDefaults()
    {
        using var model = ModelFactory.Build(new ModelSpec(ModelKind.Cnn, [1, 12, 12], 3, Depth: 1, Width: 8), 0);
        var result = LnsConverter.Convert(model, Settings(8) with { Conv2d = new LayerRule(Bits: 6), Linear = new LayerRule(Convert: false) });
        Assert.That(model.modules().OfType<LnsConv2d>().Select(c => c.Bits), Is.All.EqualTo(6));
        Assert.That(model.modules().OfType<Linear>().Count(), Is.EqualTo(2), "linear layers kept float32");
        Assert.That(result.Float.Where(r => r.From == nameof(Linear)).Select(r => r.Detail), Is.All.Contain("Convert = false"));
    }
}
