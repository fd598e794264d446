using Hybrid.Experiments.Cost;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using NUnit.Framework;
using TorchSharp;

namespace Hybrid.Experiments.Tests;

/// <summary><c>hybrid cost</c> on the models Hybrid trains: traced, then priced as the standard architectures are.</summary>
public class TracedCostTests
{
    [Test]
    public void TheGptVocabularyIsTheCorpus() =>
        Assert.That(Fortunes.Load().Vocabulary.Length, Is.EqualTo(TracedNetworks.FortunesVocabulary));

    [Test]
    public void CostsFloatAdamRowIsTheModelLedgerOfTheFloatModel()
    {
        // two paths to one number: cost's fp32 Adam row of the traced ResNet-20, and ModelLedger pricing the float model
        // itself (its own formats, Adam's update) with the same table, memory and batch
        var s = new CostSettings(Model: "resnet20", Batch: 128, Curves: false);
        var outcome = CostExperiment.Compute(s);
        var fp32 = outcome.Results.Single(r => r.Row.Key == "fp32");
        using var model = ModelFactory.Build(new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 3), seed: 0);
        using var sample = torch.zeros(2, 1, 28, 28);
        var direct = ModelLedger.Price(model, sample, EnergyTable.Horowitz45nm, s.Memory, batch: 128);
        Assert.That(fp32.Priced.TotalPj, Is.EqualTo(direct.TotalPj).Within(1e-9 * direct.TotalPj));
        var lns = outcome.Results.Single(r => r.Row.Key.StartsWith("lns-madam", StringComparison.Ordinal));
        Assert.That(lns.Priced.TotalPj, Is.LessThan(fp32.Priced.TotalPj / 2), "LNS-Madam 8/12 prices the ResNet's step below half of Adam's");
    }

    [Test]
    public void EveryTracedModelIsPriced()
    {
        foreach (var name in TracedNetworks.Names)
        {
            var outcome = CostExperiment.Compute(new CostSettings(Model: name, Batch: 16, Curves: false));
            Assert.That(outcome.Results.All(r => r.Priced.TotalPj > 0 && double.IsFinite(r.Priced.TotalPj)), name);
        }
        Assert.Throws<ArgumentException>(() => new CostSettings(Model: "resnet21").Validate());
    }
}

/// <summary>compare offers both memory models (issue 25): the name is checked, and the dataflow model prices the same rows.</summary>
public class CompareMemoryModelTests
{
    [Test]
    public void AnUnknownMemoryModelIsRefusedNamingTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => (new Compare.CompareSettings([8]) with { MemoryModel = "cache" }).Validate())!;
        Assert.That(e.Message, Does.Contain("--memory-model 'cache'"));
    }

    [Test]
    public void TheDataflowModelAddsRegisterAndArrayTrafficToTheSameRows()
    {
        var s = new Compare.CompareSettings([8]);
        var d = s with { MemoryModel = "dataflow" };
        Assert.That(d.Memory.Model, Is.EqualTo(MemoryModel.Dataflow));
        Assert.That(s.Memory.Model, Is.EqualTo(MemoryModel.Compulsory));
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, s.Depth, s.Width);
        foreach (var row in Compare.ComparePlan.Rows(s))
        {
            var ledger = Compare.CompareEnergy.Ledger(spec, row, s.BatchSize);
            var compulsory = ledger.Price(EnergyTable.Horowitz45nm, s.Memory);
            var dataflow = ledger.Price(EnergyTable.Horowitz45nm, d.Memory);
            Assert.That(dataflow.ComputePj, Is.EqualTo(compulsory.ComputePj).Within(1e-9 * compulsory.ComputePj), row.Key);
            Assert.That(dataflow.TotalPj, Is.GreaterThan(compulsory.TotalPj), row.Key);
        }
    }
}
