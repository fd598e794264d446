using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Fromage and Nero against their formulas and invariants.</summary>
public class FromageNeroTests
{
    [Test]
    public void FromageHandWorkedStep()
    {
        // w = (3, 4), ‖w‖ = 5; g = (1, 0), ‖g‖ = 1: w' = (w − 0.01·5·g)/sqrt(1.0001) = (2.95, 4)/1.00005.
        var p = Param([3f, 4f]);
        using var opt = HybridOptim.Fromage([p]);
        SetGrad(p, [1f, 0f]);
        opt.step();
        double f = Math.Sqrt(1 + 0.01 * 0.01);
        Assert.That(Values(p), Is.EqualTo(new[] { 2.95 / f, 4 / f }).Within(1e-6));
    }

    [Test]
    public void FromageShrinksByTheSqrtFactorForAnOrthogonalGradient()
    {
        // g ⟂ w: ‖w − η(‖w‖/‖g‖)g‖ = ‖w‖·sqrt(1 + η²), then ÷ sqrt(1 + η²): the norm is unchanged.
        // g ∥ w: w' = w(1 − η)/sqrt(1 + η²).
        var p = Param([3f, 4f]);
        using var opt = HybridOptim.Fromage([p], lr: 0.1);
        SetGrad(p, [-4f, 3f]);
        opt.step();
        Assert.That(p.detach().norm().item<float>(), Is.EqualTo(5f).Within(1e-5));
        var q = Param([3f, 4f]);
        using var opt2 = HybridOptim.Fromage([q], lr: 0.1);
        SetGrad(q, [6f, 8f]);
        opt2.step();
        Assert.That(Values(q), Is.EqualTo(new[] { 3 * 0.9 / Math.Sqrt(1.01), 4 * 0.9 / Math.Sqrt(1.01) }).Within(1e-6));
    }

    [Test]
    public void FromageZeroGradientOrWeightFallsBackToPlainStep()
    {
        var p = Param([0f, 0f]);
        using var opt = HybridOptim.Fromage([p], lr: 0.5);
        SetGrad(p, [1f, -2f]);
        opt.step();
        double f = Math.Sqrt(1.25);
        Assert.That(Values(p), Is.EqualTo(new[] { -0.5 / f, 1.0 / f }).Within(1e-6));
    }

    [Test]
    public void FromagePBoundRescalesToTheBound()
    {
        // An anti-parallel gradient grows the norm by (1 + η)/sqrt(1 + η²) each step; p_bound 1.2 caps it.
        var p = Param([3f, 4f]);
        using var opt = HybridOptim.Fromage([p], lr: 0.5, p_bound: 1.2);
        for (int i = 0; i < 5; ++i)
        {
            SetGrad(p, [-3f, -4f]);
            opt.step();
        }
        Assert.That(p.detach().norm().item<float>(), Is.EqualTo(6f).Within(1e-5));
    }

    [Test]
    public void NeroKeepsEveryRowZeroMeanUnitNorm([Values] bool afterConstruction)
    {
        using var model = Mlp(3);
        using var opt = HybridOptim.Nero(model.parameters(), lr: 0.05);
        if (!afterConstruction)
            for (int t = 0; t < 10; ++t) TrainStep(model, opt, t);
        foreach (var w in model.parameters().Where(q => q.dim() == 2))
        {
            var mean = w.detach().mean([1]);
            var norm = w.detach().norm(1, false);
            Assert.That(mean.abs().max().item<float>(), Is.LessThan(1e-6f), "row means");
            Assert.That((norm - 1).abs().max().item<float>(), Is.LessThan(1e-5f), "row norms");
        }
    }

    [Test]
    public void NeroHandWorkedStepOnABias()
    {
        // 1-D: per element, scale = mean |b| = 0.5, step 1: v = 0.001 g², ĝ = g/sqrt(g²) = sign(g):
        // b ← b − 0.01 · 0.5 · sign(g).
        var b = Param([0.25f, -0.75f]);
        using var opt = HybridOptim.Nero([b]);
        SetGrad(b, [2f, -3f]);
        opt.step();
        Assert.That(Values(b), Is.EqualTo(new[] { 0.25f - 0.005f, -0.75f + 0.005f }).Within(1e-6));
    }

    [Test]
    public void NeroZeroBiasUsesScaleOneHundredth()
    {
        var b = Param([0f, 0f]);
        using var opt = HybridOptim.Nero([b]);
        SetGrad(b, [1f, -1f]);
        opt.step();
        Assert.That(Values(b), Is.EqualTo(new[] { -0.0001f, 0.0001f }).Within(1e-8));
    }

    [Test]
    public void NeroWithoutConstraintsLeavesRowsAlone()
    {
        var w = Param([1f, 2f, 3f, 4f], 2, 2);
        using var opt = HybridOptim.Nero([w], constraints: false);
        Assert.That(Values(w), Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
    }
}
