using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Models;

/// <summary>The batched ensemble is k copies of the project's MLP, and Nero with ensembleDims: 1 trains each
/// member exactly as Nero trains that member alone.</summary>
public class EnsembleMlpTests
{
    private static readonly long[] Seeds = [3, 11, 42];

    private static ModelSpec Spec(bool bias = false) =>
        new(ModelKind.Mlp, [12], 3, Depth: 2, Width: 10, Activation.ReluSqrt2, Bias: bias);

    [TestCase(false)]
    [TestCase(true)]
    public void EveryMemberComputesItsOwnMlp(bool bias)
    {
        var spec = Spec(bias);
        using var ensemble = EnsembleMlp.Build(spec, Seeds);
        using var x = torch.randn(7, 12, generator: new torch.Generator(1));
        using var y = ensemble.call(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 3, 7, 3 }));
        for (int i = 0; i < Seeds.Length; ++i)
        {
            using var single = ModelFactory.Build(spec, Seeds[i]);
            using var expected = single.call(x);
            Assert.That((y[i] - expected).abs().max().item<float>(), Is.LessThan(1e-5f), $"member {i}");
        }
        Assert.That(ensemble.named_parameters().Select(p => p.name),
            Is.EqualTo(bias ? new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "out.weight", "out.bias" }
                            : new[] { "fc1.weight", "fc2.weight", "out.weight" }));
    }

    [Test]
    public void NeroOnTheEnsembleEqualsNeroOnEachMember()
    {
        var spec = Spec();
        using var x = torch.randn(20, 12, generator: new torch.Generator(2));
        using var targets = torch.randn(Seeds.Length, 20, 3, generator: new torch.Generator(3));
        using var ensemble = EnsembleMlp.Build(spec, Seeds);
        using var opt = new Nero(ensemble.parameters(), lr: 0.05, ensembleDims: 1);
        for (int t = 0; t < 5; ++t)
        {
            opt.zero_grad();
            using var out_ = ensemble.call(x);
            // sum of per-member norm losses: member i's gradient is its own loss's gradient
            using var loss = (out_ - targets).reshape(Seeds.Length, -1).norm(1).sum();
            loss.backward();
            opt.step();
        }
        for (int i = 0; i < Seeds.Length; ++i)
        {
            using var single = ModelFactory.Build(spec, Seeds[i]);
            using var optSingle = new Nero(single.parameters(), lr: 0.05);
            for (int t = 0; t < 5; ++t)
            {
                optSingle.zero_grad();
                using var loss = (single.call(x) - targets[i]).norm();
                loss.backward();
                optSingle.step();
            }
            using var got = ensemble.call(x);
            using var expected = single.call(x);
            Assert.That((got[i] - expected).abs().max().item<float>(), Is.LessThan(1e-4f), $"member {i} after 5 steps");
        }
    }

    [Test]
    public void NeroKeepsEveryMembersRowsZeroMeanUnitNorm()
    {
        using var ensemble = EnsembleMlp.Build(Spec(), Seeds);
        using var opt = new Nero(ensemble.parameters(), ensembleDims: 1);
        foreach (var w in ensemble.parameters())
        {
            Assert.That(w.dim(), Is.EqualTo(3));
            Assert.That(w.detach().mean([2]).abs().max().item<float>(), Is.LessThan(1e-6f), "row means");
            Assert.That((w.detach().norm(2, false) - 1).abs().max().item<float>(), Is.LessThan(1e-5f), "row norms");
        }
        // Frobenius norm of a projected [out, in] layer is sqrt(out).
        using var norms = ensemble.LayerNorms();
        Assert.That(norms.shape, Is.EqualTo(new long[] { 3, 3 }));
        Assert.That(norms[0, 0].item<float>(), Is.EqualTo(MathF.Sqrt(10)).Within(1e-4));
        Assert.That(norms[2, 2].item<float>(), Is.EqualTo(MathF.Sqrt(3)).Within(1e-4));
    }

    [Test]
    public void BadInputIsRejected()
    {
        Assert.That(() => EnsembleMlp.Build(Spec(), []), Throws.ArgumentException.With.Message.Contains("at least one member"));
        var cnn = new ModelSpec(ModelKind.Cnn, [1, 8, 8], 2);
        Assert.That(() => EnsembleMlp.Build(cnn, Seeds), Throws.ArgumentException.With.Message.Contains("MLPs"));
        Assert.That(() => new Nero([new TorchSharp.Modules.Parameter(torch.ones(2, 2))], ensembleDims: -1),
            Throws.ArgumentException.With.Message.Contains("ensembleDims"));
    }
}
