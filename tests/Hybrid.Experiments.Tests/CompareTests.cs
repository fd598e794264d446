using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Train;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>hybrid compare end to end on a small synthetic task; resume; bad input before any work.</summary>
public class CompareTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-compare-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static CompareSettings Small(params int[] bits) =>
        new(bits, Depth: 1, Width: 16, Epochs: 2, BatchSize: 64, Data: "mixture");

    private static IReadOnlyList<CompareRow> Run(CompareSettings s, RunFolder f, bool resume = false) =>
        CompareExperiment.Run(s, f, resume, body => body(SilentObserver.Instance));

    [Test]
    public void WritesTheTableThePlotsAndEveryRow()
    {
        var folder = new RunFolder(Path.Combine(_root, "c"));
        var rows = Run(Small(8, 4), folder);
        Assert.That(rows.Select(r => r.Name), Is.EqualTo(new[] { "float32 Adam", "float32 Madam", "LNS 8-bit", "LNS 4-bit" }));
        Assert.That(rows.All(r => r.Status == "completed" && r.Epochs == 2));
        foreach (var f in new[] { "config.json", "report.md", "results.csv", "results.json", "summary.json",
                     "accuracy-vs-bits.png", "learning-curves.png", "energy-vs-accuracy.png" })
            Assert.That(folder.Has(f), f);
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("LNS 8-bit").And.Contain(CompareReport.EnergyCaveat));
        var lns8 = rows.Single(r => r.BitsPerSynapse == 8);
        var adam = rows.Single(r => r.Kind == "adam");
        Assert.That(lns8.WeightBytes, Is.LessThan(adam.WeightBytes / 3), "8-bit codes are a quarter of float32 (biases stay float)");
        Assert.That(lns8.CodesChangedPerStep, Is.GreaterThan(0));
        Assert.That(lns8.TestAccuracy, Is.GreaterThan(0.3), "well above chance (0.1)");
    }

    [Test]
    public void ResumeSkipsFinishedRowsAndGivesTheSameTable()
    {
        var folder = new RunFolder(Path.Combine(_root, "r"));
        var first = Run(Small(8) with { IncludeMadam = false }, folder);
        var rowFile = Path.Combine(folder.Path, "rows", "lns-08", "row.json");
        var stamp = File.GetLastWriteTimeUtc(rowFile);
        var again = Run(Small(8) with { IncludeMadam = false }, folder, resume: true);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(File.GetLastWriteTimeUtc(rowFile), Is.EqualTo(stamp), "the finished row was not retrained");
        Assert.Throws<InvalidOperationException>(() => Run(Small(8) with { IncludeMadam = false }, folder));
        Assert.Throws<InvalidOperationException>(() => Run(Small(6), folder, resume: true));
    }

    [TestCase(new[] { 17 }, null, 0f, null, "--bits 17")]
    [TestCase(new[] { 1 }, null, 0f, null, "--bits 1")]
    [TestCase(new[] { 8, 8 }, null, 0f, null, "twice")]
    [TestCase(new[] { 8 }, 0f, 0f, null, "--gamma")]
    [TestCase(new[] { 16 }, 1f, 0f, null, "underflows")]
    [TestCase(new[] { 8 }, null, -1f, null, "c2c_noise")]
    [TestCase(new[] { 8 }, null, 0f, "/nonexistent/table.json", "table.json")]
    public void BadInputIsRejectedBeforeTraining(int[] bits, float? gamma, float noise, string? table, string mentions)
    {
        var s = Small(bits) with { Gamma = gamma, C2cNoise = noise, EnergyTable = table };
        var folder = new RunFolder(Path.Combine(_root, "bad"));
        var ex = Assert.Catch(() => Run(s, folder));
        Assert.That(ex, Is.InstanceOf<ArgumentException>().Or.InstanceOf<InvalidDataException>());
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(Directory.GetFileSystemEntries(folder.Path), Is.Empty, "nothing was written");
    }

    [Test]
    public void TrainSettingsRejectUnknownNamesListingTheValidOnes()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new TrainSettings(Optimizer: new("adamw")).Validate())!.Message, Does.Contain("valid: adam"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TrainSettings(Model: "rnn").Validate())!.Message, Does.Contain("mlp"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TrainSettings(Activation: "swish").Validate())!.Message, Does.Contain("relu"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TrainSettings(Normalize: "zca").Validate())!.Message, Does.Contain("sphere"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TrainSettings(Epochs: 0).Validate())!.Message, Does.Contain("--epochs"));
    }
}
