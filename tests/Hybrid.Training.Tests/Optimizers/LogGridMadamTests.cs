using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>LNS-Madam as a float simulation ("lns-madam-sim"): weights on the grid, invariants, agreement with
/// the synapse kernel it simulates, and where it differs from the synapse model ("lns-madam").</summary>
public class LogGridMadamTests
{
    [Test]
    public void WeightsStayOnTheLogGridWithFrozenSigns([Values(4, 8, 12)] int bits)
    {
        using var model = Mlp(2);
        var signs0 = model.parameters().Select(q => q.detach().sign().clone()).ToList();
        using var opt = HybridOptim.LogGridMadam(model.parameters(), lr: 0.05, bits: bits, gamma: 8, seed: 1);
        for (int t = 0; t < 5; ++t) TrainStep(model, opt, t);
        var ps = model.parameters().ToList();
        var sd = opt.state_dict();
        for (int i = 0; i < ps.Count; ++i)
        {
            var s = (LogGridMadam.State)sd.State[i];
            var w = ps[i].detach();
            var nonzero = w.ne(0);
            // log2(|w| / w_max) · γ is minus an integer k in [0, K−1]
            var k = (w.abs() / s.w_max).log2().mul(-8.0);
            var frac = (k - k.round()).abs().masked_select(nonzero);
            Assert.That(frac.numel() == 0 || frac.max().item<float>() < 2e-3f, $"parameter {i} off the grid");
            Assert.That(k.masked_select(nonzero).max().item<float>(), Is.LessThanOrEqualTo((1 << (bits - 1)) - 2 + 1e-3));
            Assert.That(w.sign().eq(signs0[i]).all().item<bool>(), $"parameter {i}: a sign changed");
        }
    }

    [Test]
    public void OneStepMatchesTheNativeLnsKernel()
    {
        // The same first step as the synapse kernel (per-synapse moment, nearest rounding) on the
        // same grid: the codes agree except where float32 tensor ops and the kernel's exact
        // sequence land on opposite sides of a rounding boundary (rare: we allow 0.5 %).
        const int n = 20_000;
        var w0 = torch.randn(n, generator: new torch.Generator(5)).mul_(0.1f);
        var g = torch.randn(n, generator: new torch.Generator(6));
        var p = new TorchSharp.Modules.Parameter(w0.clone(), requires_grad: true);
        using var opt = HybridOptim.LogGridMadam([p], lr: 0.5, bits: 8, gamma: 8, stochastic: false);
        SetGrad(p, g);
        opt.step();
        var s = (LogGridMadam.State)opt.state_dict().State[0];
        var format = new LnsFormat(8, 8f, (float)s.w_max);
        var codes = new byte[n];
        NativeCpuBackend.Instance.LnsEncode(format, Values(w0), codes);
        NativeCpuBackend.Instance.LnsMadamStep(new LnsMadamSettings(format, 1, 0.5f, Rounding: RoundingMode.Nearest),
            codes, Values(g), new float[n]);
        var kernel = new float[n];
        NativeCpuBackend.Instance.LnsDecode(format, codes, kernel);
        var sim = Values(p);
        int differ = sim.Zip(kernel).Count(q => Math.Abs(q.First - q.Second) > 1e-6 * Math.Abs(q.Second));
        Assert.That(differ, Is.LessThan(n / 200), $"{differ} of {n} weights differ");
    }

    [Test]
    public void NearestRoundingStallsSmallStepsAsTheAnchorsDid()
    {
        // γ·η/ln 2 = 8 · 0.01 / 0.693 = 0.115 < 1/2: nearest rounding never moves a weight.
        var p = Param([0.5f, -0.25f, 0.125f]);
        using var opt = HybridOptim.LogGridMadam([p], lr: 0.01, stochastic: false);
        SetGrad(p, [1f, 1f, 1f]);
        opt.step();
        var after1 = Values(p);
        for (int t = 0; t < 5; ++t)
        {
            SetGrad(p, [1f, 1f, 1f]);
            opt.step();
        }
        Assert.That(Values(p), Is.EqualTo(after1));
    }

    [Test]
    public void DiffersFromTheSynapseModelWhereItsDocsSay()
    {
        // Same float model, seed and nearest rounding, one step each. The simulation puts the biases
        // on the grid; the synapse model (lns-madam) keeps them float32 and moves them by float Madam.
        var sim = new OptimizerSpec("lns-madam-sim", 0.05, Bits: 8, Gamma: 8, Rounding: "nearest");
        var synapse = new OptimizerSpec("lns-madam", 0.05, Bits: 8, Gamma: 8, Rounding: "nearest", Backend: "managed");
        using var a = OptimizerCatalog.PrepareModel(sim, Mlp(3));
        using var b = OptimizerCatalog.PrepareModel(synapse, Mlp(3));
        using var oa = OptimizerCatalog.Create(sim, a, 1);
        using var ob = OptimizerCatalog.Create(synapse, b, 1);
        TrainStep(a, oa, 0);
        TrainStep(b, ob, 0);
        var biasA = a.named_parameters().Where(p => p.name.EndsWith("bias")).Select(p => p.parameter.detach()).ToList();
        var biasB = b.named_parameters().Where(p => p.name.EndsWith("bias")).Select(p => p.parameter.detach()).ToList();
        Assert.That(biasA, Has.Count.EqualTo(biasB.Count).And.Count.GreaterThan(0));
        var states = ((TorchSharp.Modules.OptimizerHelper)oa).state_dict().State;
        var paramsA = a.parameters().ToList();
        for (int i = 0; i < paramsA.Count; ++i)
        {
            if (!biasA.Any(t => t.Handle == paramsA[i].detach().Handle) && paramsA[i].dim() != 1) continue;
            var s = (LogGridMadam.State)states[i];
            var k = (paramsA[i].detach().abs() / s.w_max).log2().mul(-8.0);
            var off = (k - k.round()).abs().masked_select(paramsA[i].detach().ne(0));
            Assert.That(off.max().item<float>(), Is.LessThan(2e-3f), "the simulation's bias is on its grid");
        }
        // the synapse model's biases took a float Madam step: off any 8-bit γ = 8 grid of their own RMS
        var anyOff = biasB.Any(t =>
        {
            var wMax = 3 * t.square().mean().sqrt().item<float>();
            var k = (t.abs() / wMax).log2().mul(-8.0);
            return (k - k.round()).abs().max().item<float>() > 1e-2f;
        });
        Assert.That(anyOff, "the synapse model's biases are float32, not on a grid");
    }
}
