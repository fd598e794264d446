using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Models;

/// <summary>μP's parametrisation of the factory's models (ModelSpec.Mup): base shapes, readout, rescaled init.</summary>
public class MupModelTests
{
    private static ModelSpec Spec(int width, ModelKind kind = ModelKind.Mlp, int depth = 2) =>
        new(kind, [12], 5, depth, width);

    private static Dictionary<string, Tensor> Named(nn.Module m) =>
        m.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    [Test]
    public void BaseShapesMarkTheWidthDimensionsInfinite()
    {
        // mup's zip_infshape with fin_if_same: a dimension is infinite where it differs from the base (width 8).
        using var model = ModelFactory.Build(Spec(32) with { Mup = new MupSettings(8) }, 1);
        var shapes = MupParametrization.Of(model)!.Shapes;
        Assert.That(shapes["fc1.weight"].ToString(), Is.EqualTo("[32/8, 12]"));
        Assert.That(shapes["fc1.bias"].ToString(), Is.EqualTo("[32/8]"));
        Assert.That(shapes["fc2.weight"].ToString(), Is.EqualTo("[32/8, 32/8]"));
        Assert.That(shapes["out.weight"].ToString(), Is.EqualTo("[5, 32/8]"));
        Assert.That(shapes["out.bias"].ToString(), Is.EqualTo("[5]"));
        Assert.That(shapes["fc2.weight"].Ninf, Is.EqualTo(2));
        Assert.That(shapes["fc2.weight"].WidthMult, Is.EqualTo(4.0), "main = fan-in");
        Assert.That(shapes["fc1.weight"].WidthMult, Is.EqualTo(4.0), "main = the one infinite dimension (fan-out)");
        Assert.That(shapes["out.weight"].WidthMult, Is.EqualTo(4.0));
        Assert.That(shapes["out.bias"].WidthMult, Is.EqualTo(1.0));
        foreach (var (name, p) in model.named_parameters())
            Assert.That(MupParametrization.TryGetShape(p, out var s) && ReferenceEquals(s, shapes[name]), $"{name} carries its shape");
    }

    [Test]
    public void AtTheBaseWidthTheMupModelIsTheStandardOne([Values(ModelKind.Mlp, ModelKind.Cnn, ModelKind.ResidualMlp)] ModelKind kind)
    {
        // mup's README: a model with the base model's shapes behaves exactly as the base (PyTorch default init).
        var shape = kind == ModelKind.Cnn ? new long[] { 1, 8, 8 } : [12];
        var sp = new ModelSpec(kind, shape, 5, 2, 16);
        using var a = ModelFactory.Build(sp, 7);
        using var b = ModelFactory.Build(sp with { Mup = new MupSettings(16) }, 7);
        var pa = Named(a);
        foreach (var (name, p) in b.named_parameters())
            Assert.That(p.data<float>().ToArray(), Is.EqualTo(pa[name].data<float>().ToArray()), name);
        using var x = torch.randn([3, .. shape], generator: new torch.Generator(3));
        Assert.That(b.call(x).data<float>().ToArray(), Is.EqualTo(a.call(x).data<float>().ToArray()), "same logits, bit for bit");
    }

    [Test]
    public void WiderModelsRescaleTheReadoutAndTheHiddenBiases()
    {
        // Width 32 over base 8 (m = 4), same seed: hidden and input weights as drawn (default init is already
        // variance ∝ 1/fan_in); fc2.bias × √(fan-in mult) = × 2 (rescale_linear_bias); fc1.bias (fan-in 12, finite)
        // unchanged; out.weight and out.bias × √m = × 2 (MuReadout._rescale_parameters).
        var spec = Spec(32);
        using var sp = ModelFactory.Build(spec, 5);
        using var mu = ModelFactory.Build(spec with { Mup = new MupSettings(8) }, 5);
        var a = Named(sp);
        var b = Named(mu);
        Assert.That(b["fc1.weight"].data<float>().ToArray(), Is.EqualTo(a["fc1.weight"].data<float>().ToArray()));
        Assert.That(b["fc2.weight"].data<float>().ToArray(), Is.EqualTo(a["fc2.weight"].data<float>().ToArray()));
        Assert.That(b["fc1.bias"].data<float>().ToArray(), Is.EqualTo(a["fc1.bias"].data<float>().ToArray()));
        foreach (var n in new[] { "fc2.bias", "out.weight", "out.bias" })
            Assert.That(b[n].data<float>().ToArray(), Is.EqualTo(a[n].data<float>().ToArray().Select(v => v * 2f).ToArray()).Within(1e-6f), n);
    }

    [Test]
    public void TheReadoutDividesItsInputByTheWidthMultiplier()
    {
        // y = W·(x · output_mult / m) + b with m = 32/8 = 4 and output_mult 3.
        using var mu = ModelFactory.Build(Spec(32) with { Mup = new MupSettings(8, OutputMultiplier: 3) }, 2);
        var readout = mu.named_modules().Select(m => m.module).OfType<MupReadout>().Single();
        Assert.That(readout.WidthMult, Is.EqualTo(4.0));
        using var h = torch.randn(4, 32, generator: new torch.Generator(1));
        using var want = nn.functional.linear(h * 0.75, readout.Weight, readout.Bias);
        using var got = readout.call(h);
        Assert.That(got.allclose(want, rtol: 1e-6, atol: 1e-7), Is.True);
    }

    [Test]
    public void ZeroReadoutInitAndInitScaleCompose()
    {
        using var mu = ModelFactory.Build(Spec(32) with { Mup = new MupSettings(8, ReadoutZeroInit: true), InitScale = 2 }, 2);
        var b = Named(mu);
        Assert.That(b["out.weight"].abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That(b["out.bias"].abs().max().item<float>(), Is.EqualTo(0f));
        using var sp = ModelFactory.Build(Spec(32), 2);
        Assert.That(b["fc1.weight"].data<float>().ToArray(), Is.EqualTo(Named(sp)["fc1.weight"].data<float>().ToArray().Select(v => v * 2f).ToArray()));
    }

    [Test]
    public void ResidualMlpAndLinearModelsTakeMup()
    {
        using var res = ModelFactory.Build(Spec(32, ModelKind.ResidualMlp, 3) with { Mup = new MupSettings(8) }, 1);
        Assert.That(MupParametrization.Of(res)!.Shapes["fc3.weight"].Ninf, Is.EqualTo(2));
        Assert.That(res.named_modules().Select(m => m.module).OfType<MupReadout>().Single().WidthMult, Is.EqualTo(4.0));
        using var linear = ModelFactory.Build(Spec(32, depth: 0) with { Mup = new MupSettings(8) }, 1);
        Assert.That(MupParametrization.Of(linear)!.Shapes.Values.All(s => s.Ninf == 0), "a linear model has no width");
    }

    [Test]
    public void BadSettingsAreRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Build(Spec(32) with { Mup = new MupSettings(0) }, 1));
        Assert.That(e!.Message, Does.Contain("--base-width 0"));
        e = Assert.Throws<ArgumentException>(() => ModelFactory.Build(Spec(32) with { Mup = new MupSettings(8, OutputMultiplier: double.NaN) }, 1));
        Assert.That(e!.Message, Does.Contain("--output-mult"));
    }

    [Test]
    public void PrepareModelBuildsTheMupTwinOfAFactoryModel()
    {
        var spec = Spec(32);
        var sp = ModelFactory.Build(spec, 9);
        var fc2 = Named(sp)["fc2.weight"].data<float>().ToArray();
        using var twin = OptimizerCatalog.PrepareModel(new OptimizerSpec("mup-adam") { BaseWidth = 8 }, sp);
        Assert.That(MupParametrization.Of(twin)!.Settings, Is.EqualTo(new MupSettings(8)));
        Assert.That(Named(twin)["fc2.weight"].data<float>().ToArray(), Is.EqualTo(fc2), "same seed, same draws");
        Assert.That(OptimizerCatalog.PrepareModel(new OptimizerSpec("mup-adam") { BaseWidth = 8 }, twin), Is.SameAs(twin), "already μP");
        var e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.PrepareModel(new OptimizerSpec("mup-sgd") { BaseWidth = 16 }, twin));
        Assert.That(e!.Message, Does.Contain("built in μP with"));
        using var foreign = nn.Sequential(nn.Linear(3, 2));
        e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.PrepareModel(new OptimizerSpec("mup-adam"), foreign));
        Assert.That(e!.Message, Does.Contain("needs a model in μP's parametrisation"));
    }
}
