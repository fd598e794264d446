using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Models;

/// <summary>The residual MLP: the plain MLP's parameters under the same names, and h ← h + act(fc(h)) after the first layer.</summary>
public class ResidualMlpTests
{
    private static ModelSpec Spec(ModelKind kind, int depth, bool bias = true) => new(kind, [12], 3, depth, Width: 8, Bias: bias);

    [TestCase(0), TestCase(1), TestCase(4)]
    public void SameParametersNamesAndInitialValuesAsThePlainMlp(int depth)
    {
        using var plain = ModelFactory.Build(Spec(ModelKind.Mlp, depth), seed: 7);
        using var residual = ModelFactory.Build(Spec(ModelKind.ResidualMlp, depth), seed: 7);
        var p = plain.named_parameters().ToList();
        var r = residual.named_parameters().ToList();
        Assert.That(r.Select(x => x.name), Is.EqualTo(p.Select(x => x.name)));
        for (int i = 0; i < p.Count; ++i)
            Assert.That(r[i].parameter.eq(p[i].parameter).all().item<bool>(), Is.True, p[i].name);
        Assert.That(Spec(ModelKind.ResidualMlp, depth).ParameterCount(), Is.EqualTo(ModelFactory.ParameterCount(residual)));
    }

    [Test]
    public void DepthOneIsThePlainMlp()
    {
        using var plain = ModelFactory.Build(Spec(ModelKind.Mlp, 1), seed: 3);
        using var residual = ModelFactory.Build(Spec(ModelKind.ResidualMlp, 1), seed: 3);
        using var x = randn(5, 12, generator: new Generator(1));
        Assert.That(residual.call(x).allclose(plain.call(x)), Is.True);
    }

    [Test]
    public void HiddenLayersAfterTheFirstAddTheirInput()
    {
        using var model = ModelFactory.Build(Spec(ModelKind.ResidualMlp, 3), seed: 11);
        var w = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var x = randn(4, 12, generator: new Generator(2));
        using var noGrad = no_grad();
        Tensor Layer(string name, Tensor h) => nn.functional.relu(h.matmul(w[name + ".weight"].t()) + w[name + ".bias"]);
        var h1 = Layer("fc1", x);
        var h2 = h1 + Layer("fc2", h1);
        var h3 = h2 + Layer("fc3", h2);
        var expected = h3.matmul(w["out.weight"].t()) + w["out.bias"];
        Assert.That(model.call(x).allclose(expected, rtol: 1e-5, atol: 1e-6), Is.True);
        using var plain = ModelFactory.Build(Spec(ModelKind.Mlp, 3), seed: 11);
        Assert.That(plain.call(x).allclose(expected, rtol: 1e-5, atol: 1e-6), Is.False, "the skips change the function");
    }

    [Test]
    public void ParsesByName()
    {
        Assert.That(ModelSpec.ParseKind("residual-mlp"), Is.EqualTo(ModelKind.ResidualMlp));
        Assert.That(Assert.Throws<ArgumentException>(() => ModelSpec.ParseKind("vgg"))!.Message, Does.Contain("residual-mlp"));
    }
}
