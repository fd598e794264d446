using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;
using static Hybrid.Training.Tests.Optimizers.SuccessorKit;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Adam normalised in the modular norm (jxbz/modula): layer shares, hand-computed steps, the norm of an update.</summary>
public class ModularAdamTests
{
    [TestCase(Activation.Relu, 1, new[] { 0.70710678118654757, 0.5 })]            // L = 2: (1/2)/(1/√2), 1/2
    [TestCase(Activation.ReluSqrt2, 1, new[] { 0.5, 0.5 })]                       // scaled ReLU has sensitivity 1
    [TestCase(Activation.Tanh, 2, new[] { 1 / 3.0, 1 / 3.0, 1 / 3.0 })]
    [TestCase(Activation.Relu, 2, new[] { 2 / 3.0, 0.47140452079103168, 1 / 3.0 })] // (1/3)·2, (1/3)·√2, 1/3
    public void SharesSplitTheNormByMassAndDivideBySensitivityAfter(Activation act, int depth, double[] shares)
    {
        using var model = ModelFactory.Build(Spec(8, depth, act), 0);
        var layers = ModularMlp.Layers(model);
        Assert.That(layers.Select(l => l.Share).ToArray(), Is.EqualTo(shares).Within(1e-12));
        Assert.That(layers.Select(l => l.Name), Is.EqualTo(Enumerable.Range(1, depth).Select(i => $"fc{i}").Append("out")));
    }

    [Test]
    public void FirstStepOnRankOneGradientsIsTheHandComputedUpdate()
    {
        // 4 → 3 → 2 MLP with ReLU, lr 0.5: shares s1 = √2/2, s2 = 1/2, so targets t1 = 0.3536, t2 = 0.25.
        // Step 1: m = g, v = g², U = sign(g). For g = a·bᵀ, sign(g) = sign(a)·sign(b)ᵀ is rank 1 with σ = √(out·in), so one
        // power iteration is exact and ΔW = t·√(out/in)·sign(g)/√(out·in) = t·sign(g)/fan_in. A bias: Δb = t·√d·U/‖U‖₂ = t·sign(g).
        torch.manual_seed(0);
        using var model = nn.Sequential(("fc1", nn.Linear(4, 3)), ("act1", nn.ReLU()), ("out", nn.Linear(3, 2)));
        var ps = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var w0 = Snapshot(model);
        using var opt = ModularAdam.ForMlp(model, lr: 0.5);
        float[] a = [1f, -2f, 0.5f], b = [0.3f, -1f, 2f, 0.1f], d = [-1f, 0.4f], e = [2f, 1f, -3f];
        SetGrad(ps["fc1.weight"], Outer(a, b));
        SetGrad(ps["fc1.bias"], [0.2f, -0.1f, 3f]);
        SetGrad(ps["out.weight"], Outer(d, e));
        SetGrad(ps["out.bias"], [-0.5f, 0.5f]);
        opt.step();
        var w1 = Snapshot(model);
        double t1 = 0.5 * Math.Sqrt(2) / 2, t2 = 0.25;
        Check("fc1.weight", Outer(a, b), t1 / 4);
        Check("fc1.bias", [0.2f, -0.1f, 3f], t1);
        Check("out.weight", Outer(d, e), t2 / 3);
        Check("out.bias", [-0.5f, 0.5f], t2);

        void Check(string name, float[] grad, double step)
        {
            for (int i = 0; i < grad.Length; ++i)
                Assert.That(w1[name][i], Is.EqualTo(w0[name][i] - step * Math.Sign(grad[i])).Within(1e-6), $"{name}[{i}]");
        }
    }

    private static float[] Outer(float[] a, float[] b) => a.SelectMany(x => b.Select(y => x * y)).ToArray();

    [Test]
    public void TheUpdateHasModularNormLr()
    {
        // With a converged power iteration, every layer's ‖ΔW‖ₖ = √(fan_in/fan_out)·σ_max(ΔW) equals lr·sₖ, so the
        // modular norm maxₖ ‖ΔWₖ‖ₖ/sₖ of the update is lr (0.3 here), on a depth-3 ReLU MLP after two steps.
        using var model = ModelFactory.Build(Spec(24, depth: 3), 2);
        using var opt = ModularAdam.ForMlp(model, lr: 0.3, power_iterations: 200);
        var layers = ModularMlp.Layers(model);
        Step(model, opt, 0);
        var before = layers.Select(l => l.Weight.detach().clone()).ToList();
        Step(model, opt, 1);
        for (int k = 0; k < layers.Count; ++k)
        {
            using var delta = layers[k].Weight.detach() - before[k];
            double sigma = torch.linalg.svdvals(delta).max().item<float>();
            double norm = Math.Sqrt(delta.shape[1] / (double)delta.shape[0]) * sigma;
            Assert.That(norm / layers[k].Share, Is.EqualTo(0.3).Within(1e-3), layers[k].Name);
        }
    }

    [Test]
    public void MomentsFollowTheReferencesWarmStartRates()
    {
        // main.py: m += (1−β1)^(t/(t+1))·(g − m) with t = 0, 1, …: m1 = g1, m2 = g1 + 0.1^(1/2)·(g2 − g1).
        var w = Param([0.5f, -0.25f, 1f, 2f], 2, 2);
        using var opt = new ModularAdam([new ModularAdam.ParamGroup([w])], lr: 0.01);
        SetGrad(w, [1f, 2f, 3f, 4f]);
        opt.step();
        SetGrad(w, [-1f, 0f, 1f, 2f]);
        opt.step();
        var state = (ModularAdam.State)opt.state_dict().State[0];
        var m = state.exp_avg.data<float>().ToArray();
        double r = Math.Sqrt(0.1);
        Assert.That(m, Is.EqualTo(new[] { 1 + r * -2, 2 + r * -2, 3 + r * -2, 4 + r * -2 }.Select(x => (float)x).ToArray()).Within(1e-6f));
        double r2 = Math.Pow(0.01, 0.5);
        var v = state.exp_avg_sq.data<float>().ToArray();
        Assert.That(v[0], Is.EqualTo(1 + r2 * (1 - 1)).Within(1e-6));
        Assert.That(v[1], Is.EqualTo(4 + r2 * (0 - 4)).Within(1e-6));
    }

    [Test]
    public void WeightDecayShrinksByTheLayersShareOfLrTimesDecay()
    {
        // w ← (w − Δ)·(1 − lr·s·wd): a one-layer net (share 1), zero gradient (no step), lr 0.1, wd 0.5 → × 0.95.
        var w = Param([0.5f, -0.25f, 1f, 2f], 2, 2);
        using var opt = new ModularAdam([new ModularAdam.ParamGroup([w])], lr: 0.1, weight_decay: 0.5);
        SetGrad(w, [0f, 0f, 0f, 0f]);
        opt.step();
        Assert.That(Values(w), Is.EqualTo(new[] { 0.475f, -0.2375f, 0.95f, 1.9f }).Within(1e-7f));
    }

    [Test]
    public void ModelsOutsideTheMlpFamilyAreRefusedByName()
    {
        using var cnn = ModelFactory.Build(new ModelSpec(ModelKind.Cnn, [1, 8, 8], 3, 1, 8), 0);
        var e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create(new OptimizerSpec("modular-adam"), cnn, 0));
        Assert.That(e!.Message, Does.Contain("module 'conv1'"));
        using var res = ModelFactory.Build(new ModelSpec(ModelKind.ResidualMlp, [12], 3, 2, 8), 0);
        e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create(new OptimizerSpec("modular-adam"), res, 0));
        Assert.That(e!.Message, Does.Contain("got a ResidualMlp"));
        using var mlp = ModelFactory.Build(Spec(8), 0);
        e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create(new OptimizerSpec("modular-adam"), mlp.parameters(), 0));
        Assert.That(e!.Message, Does.Contain("pass the model"));
    }
}
