using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests;

/// <summary>Train runs record the full step's estimated energy (issue 24: pareto's energy axis for train sweeps), for the
/// optimisers the ledger has an update rule for, and nothing for the others.</summary>
public class TrainEnergyTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-train-energy-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private ExperimentOutcome Train(string optimizer, int? sramKib = null) =>
        ExperimentHost.Run(new TrainExperiment(), new TrainSettings(Depth: 1, Width: 16, Optimizer: new OptimizerSpec(optimizer), Epochs: 1,
            BatchSize: 64, Data: "mixture", TrainSize: 512, SramKib: sramKib), new RunFolder(Path.Combine(_root, $"{optimizer}-{sramKib}"))).Outcome;

    [Test]
    public void TheFullStepIsPricedForAdamMadamAndLnsMadamOnly()
    {
        var adam = Train("adam").Metrics;
        var madam = Train("madam").Metrics;
        var lns = Train("lns-madam").Metrics;
        var sgd = Train("sgd").Metrics;
        // Adam's step is the float MLP's as ModelLedger prices it in one call (mixture: 32 features, 10 classes)
        var spec = new ModelSpec(ModelKind.Mlp, [32], 10, Depth: 1, Width: 16);
        using (var model = ModelFactory.Build(spec, 0))
        using (var sample = zeros(2, 32))
        {
            var priced = ModelLedger.Price(model, sample, EnergyTable.Horowitz45nm, MemoryHierarchy.Default, new UpdateCostSpec(UpdateRule.Adam), batch: 64);
            Assert.That(adam["energy_per_step_pj"], Is.EqualTo(priced.TotalPj).Within(1e-9 * priced.TotalPj));
        }
        foreach (var m in new[] { adam, madam, lns })
            Assert.That(m["energy_per_step_pj"], Is.EqualTo(m["compute_per_step_pj"] + m["memory_per_step_pj"]).Within(1e-6 * m["energy_per_step_pj"]));
        Assert.That(madam["energy_per_step_pj"], Is.LessThan(adam["energy_per_step_pj"]), "one moment instead of two");
        Assert.That(lns["energy_per_step_pj"], Is.LessThan(madam["energy_per_step_pj"]), "8-bit codes read and written");
        Assert.That(lns["update_energy_per_step_pj"], Is.GreaterThan(0), "the update's own figure stays");
        Assert.That(sgd.ContainsKey("energy_per_step_pj"), Is.False, "the ledger has no SGD rule: nothing rather than a wrong figure");
    }

    [Test]
    public void TheSramSizePricesTheStepAndChangesNothingElse()
    {
        var dram = Train("adam", 0).Metrics;
        var small = Train("adam", 64).Metrics;
        var standard = Train("adam").Metrics;
        var spelt = Train("adam", TrainSettings.DefaultSramKib).Metrics;
        // the default spelt out is the default: the same settings, hence the same run id in a sweep
        Assert.That(new TrainSettings(SramKib: TrainSettings.DefaultSramKib), Is.EqualTo(new TrainSettings()));
        Assert.That(Hybrid.Experiments.Sweeps.SettingsContract.Canonical(new TrainSettings(SramKib: 1024)),
            Is.EqualTo(Hybrid.Experiments.Sweeps.SettingsContract.Canonical(new TrainSettings())));
        Assert.That(spelt["energy_per_step_pj"], Is.EqualTo(standard["energy_per_step_pj"]));
        // every byte from DRAM costs more than from any SRAM; the compute is the same
        Assert.That(dram["memory_per_step_pj"], Is.GreaterThan(standard["memory_per_step_pj"]));
        Assert.That(dram["compute_per_step_pj"], Is.EqualTo(standard["compute_per_step_pj"]).Within(1e-9 * standard["compute_per_step_pj"]));
        // this model fits in 64 KiB, whose accesses cost less than 1 MiB's; training is not touched
        Assert.That(small["memory_per_step_pj"], Is.LessThan(standard["memory_per_step_pj"]));
        Assert.That(small["test_accuracy"], Is.EqualTo(standard["test_accuracy"]));
        Assert.That(dram["test_loss"], Is.EqualTo(standard["test_loss"]));
    }

    [Test]
    public void AnSramTheTableDoesNotPriceIsRefusedNamingTheSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainSettings(SramKib: 100).Validate())!;
        Assert.That(e.Message, Does.Contain("--sram-kib 100").And.Contain("64, 128"));
        Assert.Throws<ArgumentException>(() => new TrainSettings(SramKib: -1).Validate());
        Assert.DoesNotThrow(() => new TrainSettings(SramKib: 0).Validate());
    }
}
