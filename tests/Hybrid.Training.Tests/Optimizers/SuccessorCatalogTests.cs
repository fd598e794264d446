using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.SuccessorKit;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>The successors in the catalog: names, defaults, options that apply, state round trips, schedules.</summary>
public class SuccessorCatalogTests
{
    public static IEnumerable<OptimizerSpec> Specs() =>
    [
        new OptimizerSpec("mup-adam", 0.01) { BaseWidth = 8 },
        new OptimizerSpec("mup-sgd", 0.05) { BaseWidth = 8 },
        new OptimizerSpec("muon", 0.02, WeightDecay: 0.01),
        new OptimizerSpec("modular-adam", 0.2),
    ];

    [Test]
    public void TheSuccessorsAreNamedWithTheirPublishedLearningRates()
    {
        Assert.That(OptimizerCatalog.Names, Is.SupersetOf(new[] { "mup-adam", "mup-sgd", "muon", "modular-adam" }));
        Assert.That(OptimizerCatalog.DefaultLr("mup-adam"), Is.EqualTo(1e-3));
        Assert.That(OptimizerCatalog.DefaultLr("mup-sgd"), Is.EqualTo(0.1));
        Assert.That(OptimizerCatalog.DefaultLr("muon"), Is.EqualTo(0.02));
        Assert.That(OptimizerCatalog.DefaultLr("modular-adam"), Is.EqualTo(0.5));
    }

    [TestCaseSource(nameof(Specs))]
    public void StateRoundTripGivesABitIdenticalNextStep(OptimizerSpec spec)
    {
        var model = Spec(32, depth: 3);
        var (a, oa) = Make(spec, model, 5);
        for (int t = 0; t < 3; ++t) Step(a, oa, t);
        using var saved = new MemoryStream();
        using (var w = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) OptimizerCatalog.Save(oa, w);
        // resume order: a fresh model and optimiser (another seed), the saved weights, then the saved state
        var (b, ob) = Make(spec, model, 77);
        using (torch.no_grad())
            foreach (var (pb, pa) in b.parameters().Zip(a.parameters())) pb.copy_(pa);
        saved.Position = 0;
        using (var r = new BinaryReader(saved)) OptimizerCatalog.Load(ob, r);
        Step(a, oa, 3);
        Step(b, ob, 3);
        var sa = Snapshot(a);
        foreach (var (name, values) in Snapshot(b)) Assert.That(values, Is.EqualTo(sa[name]), name);
        oa.Dispose(); a.Dispose(); ob.Dispose(); b.Dispose();
    }

    [TestCaseSource(nameof(Specs))]
    public void ATrainerScheduleScalesEveryGroupFromItsOwnInitialRate(OptimizerSpec spec)
    {
        // the trainer sets g.LearningRate = g.InitialLearningRate · factor (Trainer.cs); the ratios between groups must survive
        var (m, o) = Make(spec, Spec(32, depth: 3));
        var before = GroupLr(m, o);
        foreach (var g in o.ParamGroups) g.LearningRate = g.InitialLearningRate * 0.5;
        var after = GroupLr(m, o);
        foreach (var (name, lr) in before) Assert.That(after[name], Is.EqualTo(lr * 0.5).Within(1e-15), name);
        o.Dispose(); m.Dispose();
    }

    [TestCase("adam", "base-width", "--base-width does not apply to adam; it applies to mup-adam, mup-sgd.")]
    [TestCase("mup-adam", "adam-lr", "--adam-lr does not apply to mup-adam; it applies to muon.")]
    [TestCase("muon", "output-mult", "--output-mult does not apply to muon; it applies to mup-adam, mup-sgd.")]
    [TestCase("modular-adam", "eps", "--eps does not apply to modular-adam; it applies to adam, mup-adam, muon.")]
    [TestCase("modular-adam", "momentum", "--momentum does not apply to modular-adam; it applies to sgd, mup-sgd, muon.")]
    public void OptionsThatDoNotApplyAreRefusedByName(string name, string option, string message)
    {
        var spec = option switch
        {
            "base-width" => new OptimizerSpec(name) { BaseWidth = 8 },
            "adam-lr" => new OptimizerSpec(name) { AdamLr = 1e-3 },
            "output-mult" => new OptimizerSpec(name) { OutputMult = 2 },
            "eps" => new OptimizerSpec(name, Eps: 1e-8),
            _ => new OptimizerSpec(name, Momentum: 0.9),
        };
        var e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Validate(spec));
        Assert.That(e!.Message, Does.StartWith(message));
        Assert.That(e.ParamName, Is.EqualTo(option));
    }

    [Test]
    public void OutOfRangeValuesAreRefusedByName()
    {
        (OptimizerSpec Spec, string Message)[] cases =
        [
            (new OptimizerSpec("mup-adam") { BaseWidth = 0 }, "--base-width 0 must be >= 1."),
            (new OptimizerSpec("mup-sgd") { OutputMult = -1 }, "--output-mult -1 must be finite and > 0."),
            (new OptimizerSpec("muon") { NsSteps = 0 }, "--ns-steps 0 must be in [1, 100]."),
            (new OptimizerSpec("muon") { AdamLr = 0 }, "--adam-lr 0 must be finite and > 0."),
            (new OptimizerSpec("muon", Momentum: 1), "--momentum 1 must be in [0, 1)."),
            (new OptimizerSpec("modular-adam", Beta2: 1.5), "--beta2 1.5 must be in [0, 1)."),
            (new OptimizerSpec("mup-adam", 1e39), "--lr 1E+39: it is larger than float32 holds (3.4E+38)."),
        ];
        foreach (var (spec, message) in cases)
        {
            var e = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Validate(spec), message);
            Assert.That(e!.Message, Does.StartWith(message));
        }
    }
}
