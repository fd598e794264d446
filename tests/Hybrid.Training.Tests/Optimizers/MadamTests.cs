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
    public void KernelMadamAgreesWithTensorOpsOnUnderflowAndNonFiniteGradients()
    {
        // The authors' reference (jxbz/madam), which Madam follows with tensor ops: g² underflowing
        // to 0 with v = 0 divides to ±inf and clamps to a full ±g_bound step; 0/0 → NaN → 0; a NaN or
        // ±inf gradient poisons v, so that element never moves again. KernelMadam must agree on every
        // element, within the 1e-5 relative tolerance of NativeKernelAgreesWithTensorOps.
        float[] w0 = [0.5f, -0.5f, 0.5f, -0.5f, 0.5f, 0.5f, -0.3f, 0.2f];
        float[][] grads =
        [
            [1e-25f, -1e-25f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, 0.3f, -2f],
            [1f, 1f, 1f, 1f, 1f, 1e-25f, 0.5f, float.NaN],
            [-0.2f, 0.7f, 0.1f, -1f, 2f, 0.3f, -0.4f, 1f],
        ];
        var a = Param(w0);
        var b = Param(w0);
        using var oa = HybridOptim.Madam([a]);
        using var ob = HybridOptim.KernelMadam([b]);
        foreach (var g in grads)
        {
            SetGrad(a, g);
            SetGrad(b, g);
            oa.step();
            ob.step();
            var (wa, wb) = (Values(a), Values(b));
            for (int i = 0; i < w0.Length; ++i)
                Assert.That(wb[i], Is.EqualTo(wa[i]).Within(1e-5 * Math.Abs(wa[i]) + 1e-9), $"element {i}");
        }
        var w = Values(b);
        Assert.That(w[2..5], Is.EqualTo(w0[2..5]), "NaN and ±inf gradients froze their elements");
        Assert.That(w[7], Is.Not.EqualTo(w0[7]), "element 7 moved at step 1, before its NaN froze it");
        // step 1 of element 0: ĝ = +g_bound = 10 (g² underflowed), w ← 0.5·exp(−0.01·10)
        var first = Param(w0);
        using var of = HybridOptim.KernelMadam([first]);
        SetGrad(first, grads[0]);
        of.step();
        Assert.That(Values(first)[0], Is.EqualTo(0.5 * Math.Exp(-0.1)).Within(1e-6));
        Assert.That(Values(first)[1], Is.EqualTo(-0.5 * Math.Exp(-0.1)).Within(1e-6), "w < 0, g < 0: |w| shrinks");
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
