using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static Hybrid.Training.Tests.Optimizers.SuccessorKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>μP's Adam and SGD (microsoft/mup MuAdam, MuSGD): per-layer scales, hand-computed steps, the base width.</summary>
public class MupOptimizerTests
{
    private static OptimizerSpec Mup(string name, double lr, double? wd = null) => new(name, lr, WeightDecay: wd) { BaseWidth = 8 };

    [Test]
    public void MupAdamScalesHiddenWeightsByOneOverWidthMultiplier()
    {
        // Base 8. Width 8: every m is 1, one group at lr. Width 32 (m = 4): hidden fc2.weight (inf × inf) at lr/4 and
        // weight decay × 4 (coupled L2, as MuAdam without decoupled_wd); input, readout and biases at lr.
        var (m8, o8) = Make(Mup("mup-adam", 0.01, 0.1), Spec(8));
        Assert.That(GroupLr(m8, o8).Values, Is.All.EqualTo(0.01));
        var (m32, o32) = Make(Mup("mup-adam", 0.01, 0.1), Spec(32));
        var lr = GroupLr(m32, o32);
        var wd = GroupOptions<Adam.Options>(m32, o32).ToDictionary(kv => kv.Key, kv => kv.Value.weight_decay!.Value);
        Assert.That(lr["fc2.weight"], Is.EqualTo(0.0025).Within(1e-15));
        Assert.That(wd["fc2.weight"], Is.EqualTo(0.4).Within(1e-15));
        foreach (var n in new[] { "fc1.weight", "fc1.bias", "fc2.bias", "out.weight", "out.bias" })
        {
            Assert.That(lr[n], Is.EqualTo(0.01), n);
            Assert.That(wd[n], Is.EqualTo(0.1), n);
        }
        o8.Dispose(); m8.Dispose(); o32.Dispose(); m32.Dispose();
    }

    [Test]
    public void MupSgdScalesVectorLikeUpAndLeavesSquareHiddenWeights()
    {
        // Width 32, base 8: one infinite dimension (fc1.weight, the readout weight, hidden biases) → lr·4, wd/4;
        // fc2.weight (fan-in and fan-out both ×4, ratio 1) → lr; the readout bias (no infinite dim) → lr.
        var (m, o) = Make(Mup("mup-sgd", 0.1, 0.1), Spec(32));
        var lr = GroupLr(m, o);
        var wd = GroupOptions<SGD.Options>(m, o).ToDictionary(kv => kv.Key, kv => kv.Value.weight_decay!.Value);
        foreach (var n in new[] { "fc1.weight", "fc1.bias", "fc2.bias", "out.weight" })
        {
            Assert.That(lr[n], Is.EqualTo(0.4).Within(1e-15), n);
            Assert.That(wd[n], Is.EqualTo(0.025).Within(1e-15), n);
        }
        Assert.That(lr["fc2.weight"], Is.EqualTo(0.1).Within(1e-15));
        Assert.That(wd["fc2.weight"], Is.EqualTo(0.1).Within(1e-15));
        Assert.That(lr["out.bias"], Is.EqualTo(0.1));
        Assert.That(GroupOptions<SGD.Options>(m, o)["fc1.weight"].momentum, Is.EqualTo(0.9));
        o.Dispose(); m.Dispose();
    }

    [Test]
    public void MupAdamFirstStepIsLrOverWidthMultTimesTheNormalisedGradient()
    {
        // Adam's first step: Δ = −lr_group · g / (|g| + ε) (m̂ = g, √v̂ = |g|). Hand-checked per element in double.
        var (m, o) = Make(Mup("mup-adam", 0.01), Spec(32));
        var w0 = Snapshot(m);
        Backward(m, o, 1);
        var g = Grads(m);
        o.step();
        var w1 = Snapshot(m);
        foreach (var (name, lrGroup) in new[] { ("fc2.weight", 0.0025), ("fc1.weight", 0.01), ("out.weight", 0.01), ("fc2.bias", 0.01) })
            for (int i = 0; i < g[name].Length; ++i)
            {
                double want = w0[name][i] - lrGroup * g[name][i] / (Math.Abs(g[name][i]) + 1e-8);
                Assert.That(w1[name][i], Is.EqualTo(want).Within(1e-6 * Math.Max(1, Math.Abs(want))), $"{name}[{i}]");
            }
        o.Dispose(); m.Dispose();
    }

    [Test]
    public void MupSgdFirstStepIsLrTimesWidthMultTimesTheGradient()
    {
        // SGD with momentum, first step: buffer = g, Δ = −lr_group · g.
        var (m, o) = Make(Mup("mup-sgd", 0.1), Spec(32));
        var w0 = Snapshot(m);
        Backward(m, o, 2);
        var g = Grads(m);
        o.step();
        var w1 = Snapshot(m);
        foreach (var (name, lrGroup) in new[] { ("fc1.weight", 0.4), ("fc2.weight", 0.1), ("out.bias", 0.1) })
            for (int i = 0; i < g[name].Length; ++i)
                Assert.That(w1[name][i], Is.EqualTo(w0[name][i] - lrGroup * g[name][i]).Within(1e-6), $"{name}[{i}]");
        o.Dispose(); m.Dispose();
    }

    [Test]
    public void AtTheBaseWidthMupAdamAndMupSgdAreAdamAndSgdBitForBit([Values("adam", "sgd")] string plain)
    {
        var spec = Spec(16, depth: 3);
        var (a, oa) = Make(new OptimizerSpec(plain, 0.01), spec, 4);
        var (b, ob) = Make(new OptimizerSpec("mup-" + plain, 0.01) { BaseWidth = 16 }, spec, 4);
        for (int t = 0; t < 3; ++t)
        {
            Step(a, oa, t);
            Step(b, ob, t);
        }
        var sa = Snapshot(a);
        foreach (var (name, values) in Snapshot(b)) Assert.That(values, Is.EqualTo(sa[name]), name);
        oa.Dispose(); a.Dispose(); ob.Dispose(); b.Dispose();
    }

    [Test]
    public void ASchedulerKeepsMupsRatios()
    {
        var (m, o) = Make(Mup("mup-adam", 0.01), Spec(32));
        var sched = TorchSharp.torch.optim.lr_scheduler.StepLR(o, step_size: 1, gamma: 0.1);
        Step(m, o, 0);
        sched.step();
        var lr = GroupLr(m, o);
        Assert.That(lr["fc2.weight"], Is.EqualTo(0.00025).Within(1e-15));
        Assert.That(lr["fc1.weight"], Is.EqualTo(0.001).Within(1e-15));
        o.Dispose(); m.Dispose();
    }

    [Test]
    public void ParametersOfAStandardModelAreRefused([Values("mup-adam", "mup-sgd")] string name)
    {
        using var sp = ModelFactory.Build(Spec(32), 1);
        var e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create(new OptimizerSpec(name), sp.parameters(), 0));
        Assert.That(e!.Message, Does.Contain("has no μP base shape"));
    }
}
