using Hybrid.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>state_dict round trips and learning-rate schedulers, for every Hybrid optimiser.</summary>
public class StateAndScheduleTests
{
    public static IEnumerable<string> Names() => ["madam", "kernel-madam", "lns-madam-sim", "fromage", "nero"];

    private static OptimizerHelper Make(string name, IEnumerable<Parameter> ps, double lr = 0.02) => name switch
    {
        "madam" => HybridOptim.Madam(ps, lr),
        "kernel-madam" => HybridOptim.KernelMadam(ps, lr),
        "lns-madam-sim" => HybridOptim.LogGridMadam(ps, lr, bits: 8, seed: 3),
        "fromage" => HybridOptim.Fromage(ps, lr, p_bound: 2),
        "nero" => HybridOptim.Nero(ps, lr),
        _ => throw new ArgumentException(name),
    };

    [TestCaseSource(nameof(Names))]
    public void StateDictRoundTripGivesAnIdenticalNextStep(string name)
    {
        using var a = Mlp(11);
        using var oa = Make(name, a.parameters());
        for (int t = 0; t < 4; ++t) TrainStep(a, oa, t);

        var path = Path.Combine(Path.GetTempPath(), $"hybrid-{name}-{Guid.NewGuid():N}.bin");
        try
        {
            oa.save_state_dict(path);
            // resume order: fresh model and optimiser (Nero projects at construction), then the
            // saved weights, then the saved optimiser state
            using var b = Mlp(99);
            using var ob = Make(name, b.parameters());
            using (torch.no_grad())
                foreach (var (pb, pa) in b.parameters().Zip(a.parameters())) pb.copy_(pa);
            ob.load_state_dict(path);
            TrainStep(a, oa, 4);
            TrainStep(b, ob, 4);
            Assert.That(Flat(b), Is.EqualTo(Flat(a)), "the next step after loading is bit-identical");
        }
        finally { File.Delete(path); }
    }

    [TestCaseSource(nameof(Names))]
    public void LoadingAnotherOptimisersStateIsRefused(string name)
    {
        using var a = Mlp(1);
        using var oa = name == "madam" ? (OptimizerHelper)HybridOptim.Fromage(a.parameters()) : HybridOptim.Madam(a.parameters());
        using var ob = Make(name, Mlp(1).parameters());
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) oa.save_state_dict(w);
        ms.Position = 0;
        using var r = new BinaryReader(ms);
        Assert.Throws<InvalidDataException>(() => ob.load_state_dict(r));
    }

    [Test]
    public void StepLrSchedulerScalesMadamsMultiplicativeStep()
    {
        // First step: ĝ = sign(g), so ln(w'/w) = −lr·sign(g)·sign(w). After StepLR(γ = 0.1) the
        // second step (ĝ ≈ 1 for a constant gradient) moves ln w by a tenth as much.
        var p = Param([0.5f]);
        using var opt = HybridOptim.Madam([p], lr: 0.1);
        var sched = torch.optim.lr_scheduler.StepLR(opt, step_size: 1, gamma: 0.1);
        SetGrad(p, [1f]);
        opt.step();
        double w1 = Values(p)[0];
        Assert.That(Math.Log(w1 / 0.5), Is.EqualTo(-0.1).Within(1e-6));
        sched.step();
        Assert.That(opt.ParamGroups.First().LearningRate, Is.EqualTo(0.01).Within(1e-12));
        SetGrad(p, [1f]);
        opt.step();
        Assert.That(Math.Log(Values(p)[0] / w1), Is.EqualTo(-0.01).Within(1e-6));
    }

    [Test]
    public void ParamGroupsOverrideDefaults()
    {
        var a = Param([0.5f]);
        var b = Param([0.5f]);
        using var opt = new Madam([new Madam.ParamGroup([a], lr: 0.1), new Madam.ParamGroup([b])], lr: 0.01);
        SetGrad(a, [1f]);
        SetGrad(b, [1f]);
        opt.step();
        Assert.That(Math.Log(Values(a)[0] / 0.5), Is.EqualTo(-0.1).Within(1e-6));
        Assert.That(Math.Log(Values(b)[0] / 0.5), Is.EqualTo(-0.01).Within(1e-6));
    }
}
