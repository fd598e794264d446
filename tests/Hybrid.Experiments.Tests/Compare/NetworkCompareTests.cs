using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// <c>hybrid compare</c> on the networks of issue 20 (a ResNet on Fashion-MNIST, the GPT on the text corpus) with quantised
/// rows — FP8 baseline, weights-only and full LNS — each row's ledger that of its own traced model; the GPT's metric is
/// validation bits per character.
/// </summary>
public class NetworkCompareTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-netcompare-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static HostRun<CompareResult> Run(CompareSettings s, RunFolder f) => ExperimentHost.Run(new CompareExperiment(), s, f);

    [Test]
    public void ResNetRowsAreQuantisedAndPricedFromTheirOwnModels()
    {
        if (!DataSets.FashionMnistInstalled) Assert.Ignore($"Fashion-MNIST not installed ({DataSets.FashionMnistInstallHint})");
        var s = new CompareSettings([8], Model: "resnet", Depth: 1, Epochs: 1, BatchSize: 64, TrainSize: 256, IncludeMadam: false,
            UpdateBits: [12], Variants: ["stochastic"], Baselines: ["fp8"]);
        var folder = new RunFolder(Path.Combine(_root, "resnet"));
        var rows = Run(s, folder).Result!.Rows;
        Assert.That(rows.Select(r => r.Key), Is.EqualTo(new[] { "adam", "fp8", "lns-08", "lnsfull-12-stochastic" }));
        Assert.That(rows.All(r => r.Status == RunStatus.Completed && double.IsFinite(r.EnergyPerStepPj) && r.EnergyPerStepPj > 0));
        var adam = rows.Single(r => r.Key == "adam");
        var fp8 = rows.Single(r => r.Key == "fp8");
        var weights = rows.Single(r => r.Key == "lns-08");
        var full = rows.Single(r => r.Key == "lnsfull-12-stochastic");
        // the float row's step is the float ResNet's, as ModelLedger prices it in one call (the library's path, not compare's)
        var spec = new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 1);
        using (var model = ModelFactory.Build(spec, 0))
        using (var sample = zeros(2, 1, 28, 28))
        {
            var priced = ModelLedger.Price(model, sample, EnergyTable.Horowitz45nm, s.Memory, new UpdateCostSpec(UpdateRule.Adam), batch: 64);
            Assert.That(adam.EnergyPerStepPj, Is.EqualTo(priced.TotalPj).Within(1e-9 * priced.TotalPj));
            Assert.That(adam.ComputePerStepPj, Is.EqualTo(priced.ComputePj).Within(1e-9 * priced.ComputePj));
        }
        // every convolution of the quantised rows really is quantised: their GEMMs cost a fraction of float32 MACs
        Assert.That(fp8.ComputePerStepPj, Is.LessThan(adam.ComputePerStepPj / 2), "FP8 convolutions");
        Assert.That(full.ComputePerStepPj, Is.LessThan(adam.ComputePerStepPj / 4), "LNS convolutions (9x on ResNet-20, docs/training.md)");
        Assert.That(full.EnergyPerStepPj, Is.LessThan(adam.EnergyPerStepPj));
        Assert.That(weights.ComputePerStepPj, Is.EqualTo(adam.ComputePerStepPj).Within(0.05 * adam.ComputePerStepPj),
            "weights-only rows run float32 GEMMs on decoded weights");
        Assert.That(weights.WeightBytes, Is.LessThan(adam.WeightBytes / 3), "8-bit codes for every convolution");
        Assert.That(full.Saturated, Is.Not.NaN, "the full row's quantisers counted what they saw");
        Assert.That(File.ReadAllText(folder.File("report.md")), Does.Contain("Model: resnet, pre-activation ResNet-8").And.Contain("test acc (%)")
            .And.Not.Contain("width 256"));
        // an image model has no bits per character: summary.csv leaves those columns empty
        var summary = File.ReadAllLines(folder.File("summary.csv"));
        int bpc = Array.IndexOf(summary[0].Split(','), "test_bits_per_char_mean");
        Assert.That(bpc, Is.GreaterThan(0));
        Assert.That(summary.Skip(1).Select(l => l.Split(',')[bpc]), Is.All.Empty);
    }

    [Test]
    public void TheGptIsComparedInBitsPerCharacter()
    {
        if (!Fortunes.Installed()) Assert.Ignore($"fortunes not installed in {Fortunes.Folder} ({Fortunes.InstallHint})");
        var s = new CompareSettings([], Model: "gpt", Depth: 1, Width: 32, Epochs: 1, BatchSize: 16, TrainSize: 64, IncludeMadam: false,
            UpdateBits: [12], Variants: ["stochastic"]);
        var folder = new RunFolder(Path.Combine(_root, "gpt"));
        var run = Run(s, folder);
        var rows = run.Result!.Rows;
        Assert.That(rows.Select(r => r.Key), Is.EqualTo(new[] { "adam", "lnsfull-12-stochastic" }));
        foreach (var r in rows)
        {
            Assert.That(r.Status, Is.EqualTo(RunStatus.Completed), r.Key);
            // a character model that learned anything is below a uniform guess over the vocabulary (log2 ~100 ≈ 6.6 bits)
            Assert.That(r.TestBitsPerCharacter, Is.GreaterThan(0).And.LessThan(8), r.Key);
            Assert.That(r.TestBitsPerCharacter, Is.EqualTo(r.TestLoss / Math.Log(2)).Within(1e-12), r.Key);
            Assert.That(run.Outcome.Metrics[$"{r.Key}.test_bits_per_char"], Is.EqualTo(r.TestBitsPerCharacter), r.Key);
        }
        Assert.That(new CompareExperiment().Headline(s).Select(h => (h.Name, h.HigherIsBetter)),
            Is.EqualTo(new[] { ("adam.test_bits_per_char", false), ("lnsfull-12-stochastic.test_bits_per_char", false) }));
        var adam = rows[0];
        var full = rows[1];
        Assert.That(full.ComputePerStepPj, Is.LessThan(adam.ComputePerStepPj / 3), "LNS projections and attention products");
        Assert.That(full.EnergyPerStepPj, Is.LessThan(adam.EnergyPerStepPj));
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("val bits/char").And.Contain("bits per character"));
        Assert.That(File.ReadAllText(folder.File("summary.csv")), Does.Contain("test_bits_per_char_mean"));
    }

    [TestCase("gpt", "mnist", "--model gpt reads text")]
    [TestCase("mlp", "fortunes", "only --model gpt reads it")]
    [TestCase("resnet", "fortunes", "only --model gpt reads it")]
    public void AModelThatCannotReadTheDataIsRefusedBeforeAnythingIsWritten(string model, string data, string mentions)
    {
        var folder = new RunFolder(Path.Combine(_root, "bad"));
        var ex = Assert.Catch<ArgumentException>(() => Run(new CompareSettings([8], Model: model, Data: data), folder));
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(!Directory.Exists(folder.Path) || Directory.GetFileSystemEntries(folder.Path).Length == 0, "nothing was written");
    }
}
