using Hybrid.Training.Models;
using Hybrid.Training.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;
using Hybrid.Training.Layers;

namespace Hybrid.Training.Tests.Models;

public class ModelTests
{
    private static readonly long[] Image = [1, 28, 28];

    // 784·256+256 + 256·256+256 + 256·10+10; without biases 784·256 + 256·256 + 256·10.
    [TestCase(true, 269_322L)]
    [TestCase(false, 268_800L)]
    public void MlpParameterCount(bool bias, long expected)
    {
        var spec = new ModelSpec(ModelKind.Mlp, Image, 10, Depth: 2, Width: 256, Bias: bias);
        using var model = ModelFactory.Build(spec, seed: 0);
        Assert.That(ModelFactory.ParameterCount(model), Is.EqualTo(expected));
        Assert.That(spec.ParameterCount(), Is.EqualTo(expected));
    }

    // conv1 32·(1·9+1) + conv2 64·(32·9+1) + fc1 (64·7·7)·128+128 + out 128·10+10.
    [TestCase(true, 320L + 18_496 + 401_536 + 1_290)]
    [TestCase(false, 288L + 18_432 + 401_408 + 1_280)]
    public void CnnParameterCount(bool bias, long expected)
    {
        var spec = new ModelSpec(ModelKind.Cnn, Image, 10, Depth: 1, Width: 128, Bias: bias);
        using var model = ModelFactory.Build(spec, seed: 0);
        Assert.That(ModelFactory.ParameterCount(model), Is.EqualTo(expected));
        Assert.That(spec.ParameterCount(), Is.EqualTo(expected));
    }

    [TestCase(ModelKind.Mlp)]
    [TestCase(ModelKind.Cnn)]
    public void BiasesOffMeansNoBiasParameters(ModelKind kind)
    {
        using var model = ModelFactory.Build(new ModelSpec(kind, Image, 10, Depth: 2, Width: 16, Bias: false), seed: 0);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.That(names, Is.Not.Empty);
        Assert.That(names, Has.None.Contain("bias"));
        Assert.That(model.parameters().All(p => p.dim() >= 2), Is.True);
        using var withBias = ModelFactory.Build(new ModelSpec(kind, Image, 10, Depth: 2, Width: 16), seed: 0);
        Assert.That(withBias.named_parameters().Select(p => p.name), Has.Some.EndsWith(".bias"));
    }

    [Test]
    public void ReluSqrt2Values()
    {
        using var act = new ReluSqrt2();
        using var x = tensor(new[] { -2f, -0.5f, 0f, 0.5f, 3f });
        using var y = act.forward(x);
        float r = MathF.Sqrt(2f);
        Assert.That(y.data<float>().ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0.5f * r, 3f * r }).Within(1e-6f));
    }

    [Test]
    public void MarginMlpIsPositivelyHomogeneous()
    {
        var spec = ModelSpec.MarginMlp([32], classes: 2, depth: 3, width: 64);
        Assert.That(spec.Bias, Is.False);
        Assert.That(spec.Activation, Is.EqualTo(Activation.ReluSqrt2));
        using var model = ModelFactory.Build(spec, seed: 1);
        using var x = randn(8, 32);
        using var x3 = x * 3;
        using var f = model.forward(x);
        using var f3 = model.forward(x3);
        using var expected = f * 3;
        Assert.That(f3.allclose(expected, rtol: 1e-5, atol: 1e-6), Is.True, "f(3x) = 3 f(x) without biases");
    }

    [TestCase(ModelKind.Mlp)]
    [TestCase(ModelKind.Cnn)]
    public void SameSeedSameWeights(ModelKind kind)
    {
        var spec = new ModelSpec(kind, Image, 10, Depth: 1, Width: 32);
        using var a = ModelFactory.Build(spec, seed: 11);
        using var b = ModelFactory.Build(spec, seed: 11);
        using var c = ModelFactory.Build(spec, seed: 12);
        var pa = a.parameters().ToList();
        var pb = b.parameters().ToList();
        var pc = c.parameters().ToList();
        for (int i = 0; i < pa.Count; ++i)
        {
            Assert.That(pa[i].SameAs(pb[i]), Is.True, $"parameter {i}");
            Assert.That(pa[i].SameAs(pc[i]), Is.False, $"parameter {i} differs for another seed");
        }
    }

    [Test]
    public void BuildingLeavesTorchsGlobalGeneratorAlone()
    {
        manual_seed(5);
        using var first = rand(4);
        manual_seed(5);
        using (ModelFactory.Build(new ModelSpec(ModelKind.Mlp, [8], 3, Depth: 1, Width: 4), seed: 99)) { }
        using var second = rand(4);
        Assert.That(second.SameAs(first), Is.True);
    }

    [Test]
    public void InitScaleMultipliesTheDefaultInit()
    {
        var spec = new ModelSpec(ModelKind.Mlp, [20], 5, Depth: 2, Width: 16);
        using var one = ModelFactory.Build(spec, seed: 3);
        using var two = ModelFactory.Build(spec with { InitScale = 2.0 }, seed: 3);
        foreach (var (p1, p2) in one.parameters().Zip(two.parameters()))
        {
            using var doubled = p1 * 2;
            Assert.That(p2.SameAs(doubled), Is.True);
        }
    }

    [TestCase(ModelKind.Mlp, Activation.Relu)]
    [TestCase(ModelKind.Mlp, Activation.Tanh)]
    [TestCase(ModelKind.Mlp, Activation.Gelu)]
    [TestCase(ModelKind.Mlp, Activation.ReluSqrt2)]
    [TestCase(ModelKind.Cnn, Activation.Relu)]
    [TestCase(ModelKind.Cnn, Activation.ReluSqrt2)]
    public void ForwardShapes(ModelKind kind, Activation activation)
    {
        using var model = ModelFactory.Build(new ModelSpec(kind, Image, 10, Depth: 2, Width: 32, activation), seed: 0, CPU);
        using var x = rand(5, 1, 28, 28);
        using var y = model.forward(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 5, 10 }));
        if (kind == ModelKind.Mlp)
        {
            using var flat = x.reshape(5, 784);
            using var yFlat = model.forward(flat);
            Assert.That(yFlat.SameAs(y), Is.True, "the MLP flattens image input");
        }
    }

    [Test]
    public void LinearModelAtDepthZero()
    {
        var spec = new ModelSpec(ModelKind.Mlp, [32], 3, Depth: 0);
        using var model = ModelFactory.Build(spec, seed: 0);
        Assert.That(ModelFactory.ParameterCount(model), Is.EqualTo(32 * 3 + 3));
    }

    [Test]
    public void InvalidSpecsAreClearErrors()
    {
        AssertInvalid(new ModelSpec(ModelKind.Mlp, Image, 10, Depth: -1), "depth must be ≥ 0");
        AssertInvalid(new ModelSpec(ModelKind.Mlp, Image, 10, Width: 0), "width must be ≥ 1");
        AssertInvalid(new ModelSpec(ModelKind.Mlp, Image, 0), "classes");
        AssertInvalid(new ModelSpec(ModelKind.Mlp, Image, 10, InitScale: 0), "init scale");
        AssertInvalid(new ModelSpec(ModelKind.Mlp, [], 10), "input shape");
        AssertInvalid(new ModelSpec(ModelKind.Cnn, [784], 10), "the CNN needs image input");
        AssertInvalid(new ModelSpec(ModelKind.Mlp, Image, 10, Activation: (Activation)42), "valid: relu, tanh, gelu, relu-sqrt2");
    }

    [Test]
    public void NamesParseAndUnknownNamesListTheValidOnes()
    {
        Assert.That(ModelSpec.ParseActivation("ReLU"), Is.EqualTo(Activation.Relu));
        Assert.That(ModelSpec.ParseActivation("relu_sqrt2"), Is.EqualTo(Activation.ReluSqrt2));
        Assert.That(ModelSpec.ParseKind("CNN"), Is.EqualTo(ModelKind.Cnn));
        foreach (var name in ModelSpec.ActivationNames)
            Assert.That(ModelSpec.NameOf(ModelSpec.ParseActivation(name)), Is.EqualTo(name));
        var ex = Assert.Throws<ArgumentException>(() => ModelSpec.ParseActivation("swish"));
        Assert.That(ex!.Message, Does.Contain("unknown activation 'swish'; valid: relu, tanh, gelu, relu-sqrt2"));
        ex = Assert.Throws<ArgumentException>(() => ModelSpec.ParseKind("vgg"));
        Assert.That(ex!.Message, Does.Contain("unknown model 'vgg'; valid: mlp, cnn, residual-mlp, resnet, gpt"));
    }

    [Test]
    public void BuildsOnCudaWhenAvailable()
    {
        if (!cuda.is_available()) Assert.Ignore("CUDA is not available to TorchSharp here (TorchSharp-cpu).");
        var spec = new ModelSpec(ModelKind.Mlp, Image, 10, Depth: 1, Width: 16);
        using var cpu = ModelFactory.Build(spec, seed: 4);
        using var gpu = ModelFactory.Build(spec, seed: 4, CUDA);
        foreach (var (a, b) in cpu.parameters().Zip(gpu.parameters()))
        {
            using var back = b.cpu();
            Assert.That(back.SameAs(a), Is.True, "same seed, same weights on every device");
        }
    }

    private static void AssertInvalid(ModelSpec spec, string fragment)
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelFactory.Build(spec, seed: 0));
        Assert.That(ex!.Message, Does.Contain(fragment));
    }
}
