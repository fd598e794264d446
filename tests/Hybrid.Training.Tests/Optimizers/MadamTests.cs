using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Madam (tensor ops) and the native-kernel Madam: hand-worked steps, invariants, agreement.</summary>
public class MadamTests
{
    [Test]
    public void HandWorkedFirstStep([Values] bool native)
    {
        // RMS(w0) = sqrt((0.25 + 0.25 + 0 + 3.9601 + 0.0625) / 5) = 0.951; w_max = 3 · 0.951 = 2.853.
        // Step 1 from v = 0: ĝ = sign(g), so w ← w · exp(−0.01 · sign(g) · sign(w)).
        var p = Param([0.5f, -0.5f, 0f, 1.99f, -0.25f]);
        using var opt = native ? (torch.optim.Optimizer)HybridOptim.KernelMadam([p]) : HybridOptim.Madam([p]);
        SetGrad(p, [0.2f, 0.2f, 3f, -1f, -4f]);
        opt.step();
        var w = Values(p);
        double[] want = [0.5 * Math.Exp(-0.01), -0.5 * Math.Exp(0.01), 0, 1.99 * Math.Exp(0.01), -0.25 * Math.Exp(-0.01)];
        for (int i = 0; i < 5; ++i) Assert.That(w[i], Is.EqualTo(want[i]).Within(1e-6), $"w[{i}]");
    }

    [Test]
    public void ClampsAtPScaleTimesInitialRms([Values] bool native)
    {
        // Two weights: RMS = sqrt((1 + 0.0001)/2) = 0.7071; p_scale 1 → w_max 0.7071, so w = 1 clamps.
        var p = Param([1f, 0.01f]);
        using var opt = native ? (torch.optim.Optimizer)HybridOptim.KernelMadam([p], p_scale: 1) : HybridOptim.Madam([p], p_scale: 1);
        SetGrad(p, [-1f, -1f]);
        opt.step();
        Assert.That(Values(p)[0], Is.EqualTo(Math.Sqrt(1.0001 / 2)).Within(1e-6));
        Assert.That(Values(p)[1], Is.EqualTo(0.01 * Math.Exp(0.01)).Within(1e-8));
    }

    [Test]
    public void SignsFrozenZerosStayAndBoundedOverTraining([Values] bool native)
    {
        using var model = Mlp(1);
        var biasesZero = model.parameters().Where(q => q.dim() == 1).ToList();
        foreach (var b in biasesZero) using (torch.no_grad()) b.zero_();
        var signs0 = model.parameters().Select(q => q.detach().sign().clone()).ToList();
        var wMax = model.parameters().Select(q => 3 * Math.Sqrt(q.detach().square().mean().item<float>())).ToList();
        using var opt = native ? (torch.optim.Optimizer)HybridOptim.KernelMadam(model.parameters(), lr: 0.1)
                               : HybridOptim.Madam(model.parameters(), lr: 0.1);
        for (int t = 0; t < 30; ++t) TrainStep(model, opt, t);
        var ps = model.parameters().ToList();
        for (int i = 0; i < ps.Count; ++i)
        {
            Assert.That(ps[i].detach().sign().eq(signs0[i]).all().item<bool>(), Is.True, $"parameter {i}: signs changed");
            Assert.That(ps[i].detach().abs().max().item<float>(), Is.LessThanOrEqualTo(wMax[i] + 1e-6), $"parameter {i}: clamp");
        }
        Assert.That(biasesZero.All(b => b.detach().abs().sum().item<float>() == 0f), "zero biases never move");
    }

    [Test]
    public void NativeKernelAgreesWithTensorOps()
    {
        // Tolerance: 1e-5 relative after 20 steps (the native exp is within ~2 ulp of libm's, and
        // w_max comes from a double RMS instead of a float one).
        using var a = Mlp(7);
        using var b = Mlp(7);
        using var oa = HybridOptim.Madam(a.parameters(), lr: 0.05);
        using var ob = HybridOptim.KernelMadam(b.parameters(), lr: 0.05);
        for (int t = 0; t < 20; ++t)
        {
            TrainStep(a, oa, t);
            TrainStep(b, ob, t);
        }
        var (fa, fb) = (Flat(a), Flat(b));
        for (int i = 0; i < fa.Length; ++i)
            Assert.That(fb[i], Is.EqualTo(fa[i]).Within(1e-5 * Math.Abs(fa[i]) + 1e-9), $"element {i}");
    }

    [Test]
    public void KernelMadamRejectsNonFiniteGradientAndChangesNothing()
    {
        var p = Param([0.5f, -0.5f]);
        using var opt = HybridOptim.KernelMadam([p]);
        SetGrad(p, [float.NaN, 1f]);
        var ex = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => opt.step());
        Assert.That(ex!.Message, Does.Contain("grad[0]"));
        Assert.That(Values(p), Is.EqualTo(new[] { 0.5f, -0.5f }));
    }

    [Test]
    public void BadHyperparametersAreRejected()
    {
        var p = Param([1f]);
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("g_bound"), () => HybridOptim.Madam([p], g_bound: 0));
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("learning rate"), () => HybridOptim.Madam([p], lr: -1));
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("beta2"), () => HybridOptim.KernelMadam([p], beta2: 1));
    }
}
