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
        ExperimentHost.Run(new CompareExperiment(), s, f, resume).Result!.Rows;

    [Test]
    public void WritesTheTableThePlotsAndEveryRow()
    {
        var folder = new RunFolder(Path.Combine(_root, "c"));
        var rows = Run(Small(8, 4), folder);
        Assert.That(rows.Select(r => r.Name), Is.EqualTo(new[] { "float32 Adam", "float32 Madam", "LNS 8-bit weights", "LNS 4-bit weights" }));
        Assert.That(rows.All(r => r.Status == RunStatus.Completed && r.Epochs == 2));
        foreach (var f in new[] { "config.json", "report.md", "results.csv", "results.json", "summary.csv", "summary.json",
                     "accuracy-vs-bits.png", "learning-curves.png", "energy-by-pass.png", "accuracy-vs-energy.png" })
            Assert.That(folder.Has(f), f);
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("LNS 8-bit weights").And.Contain(CompareReport.EnergyCaveat).And.Contain("backward-data"));
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
        var rowFile = Path.Combine(folder.Path, "rows", "lns-08", "seed-0", UnitStore.File);
        Assert.That(File.Exists(rowFile), rowFile);
        var stamp = File.GetLastWriteTimeUtc(rowFile);
        var again = Run(Small(8) with { IncludeMadam = false }, folder, resume: true);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(File.GetLastWriteTimeUtc(rowFile), Is.EqualTo(stamp), "the finished row was not retrained");
        Assert.Throws<InvalidOperationException>(() => Run(Small(8) with { IncludeMadam = false }, folder));
        Assert.Throws<InvalidOperationException>(() => Run(Small(6), folder, resume: true));
    }

    [Test]
    public void FullLnsRowsBaselinesAndSeeds()
    {
        var folder = new RunFolder(Path.Combine(_root, "full"));
        var s = Small() with { Bits = [], UpdateBits = [12], Variants = ["stochastic"], Baselines = ["int8"], Seeds = 2, Epochs = 10, TrainSize = 1000 };
        // 10 epochs of 16 steps: full LNS at its default rate (ln 2/128) is still at chance (10 %) after one, 32 % after eight
        var rows = Run(s, folder);
        Assert.That(rows.Select(r => (r.Key, r.Seed)), Is.EqualTo(new[]
        {
            ("adam", 0L), ("adam", 1L), ("madam", 0L), ("madam", 1L), ("int8", 0L), ("int8", 1L),
            ("lnsfull-12-stochastic", 0L), ("lnsfull-12-stochastic", 1L),
        }));
        Assert.That(rows.All(r => r.Status == RunStatus.Completed));
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "rows", "lnsfull-12-stochastic", "seed-1")), "every (row, seed) has its own run folder");
        var adam = rows.First(r => r.Kind == "adam");
        var full = rows.First(r => r.Kind == "lns-full");
        // the GEMMs on the LNS datapath cost far less than float32 MACs; the whole step less than Adam's (its optimiser state and
        // float32 tensors), by less since the ledger loads the 1-byte batch and writes no unread copies (issue 25: 1.9x here)
        Assert.That(full.ComputePerStepPj, Is.LessThan(adam.ComputePerStepPj / 2), "LNS GEMMs cost far less than float32 MACs");
        Assert.That(full.EnergyPerStepPj, Is.LessThan(adam.EnergyPerStepPj / 1.5), "LNS GEMMs and 8-bit tensors cost less than float32");
        Assert.That(full.Passes.Select(p => p.Pass), Is.EqualTo(new[] { "forward", "backward-data", "backward-weight", "update" }));
        Assert.That(full.ComputePerStepPj + full.MemoryPerStepPj, Is.EqualTo(full.EnergyPerStepPj).Within(1e-6 * full.EnergyPerStepPj));
        Assert.That(full.EnergyPerEpochPj, Is.GreaterThan(full.EnergyPerStepPj * 5));
        Assert.That(full.Saturated, Is.EqualTo(0), "max-abs scales never saturate");
        Assert.That(full.TestAccuracy, Is.GreaterThan(0.3), "full LNS learns (chance is 0.1)");
        var summaries = CompareSummary.Of(rows);
        Assert.That(summaries.All(x => x.TestAccuracy.Count == 2 && double.IsFinite(x.TestAccuracy.HalfWidth)), "two seeds: an interval each");
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("±").And.Contain("vs float32 Madam"));
        Assert.That(report, Does.Contain("(significant)").Or.Contain("(within spread)"));
    }

    [Test]
    public void TheLearningRateScheduleReachesEveryRow()
    {
        var folder = new RunFolder(Path.Combine(_root, "cosine"));
        var s = Small(8) with { UpdateBits = [12], Variants = ["stochastic"], LrSchedule = "cosine", TrainSize = 256 };
        Run(s, folder);
        // cosine over 2 epochs: factor 1, then 0.5·(1 + cos(π/2)) = 0.5, in every row's metrics.csv (the LNS rows' optimisers too)
        foreach (var (row, lr) in new[] { ("adam", s.AdamLr), ("madam", s.MadamLr), ("lns-08", s.LnsLr), ("lnsfull-12-stochastic", s.FullLr) })
        {
            var lines = File.ReadAllLines(Path.Combine(folder.Path, "rows", row, "seed-0", "metrics.csv"));
            var rates = lines.Skip(1).Select(l => double.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.That(rates, Has.Length.EqualTo(2), row);
            Assert.That(rates[0], Is.EqualTo(lr).Within(1e-6 * lr), row);
            Assert.That(rates[1], Is.EqualTo(0.5 * lr).Within(1e-6 * lr), row);
        }
        Assert.That(File.ReadAllText(folder.File("config.json")), Does.Contain("\"lrSchedule\": \"cosine\""));
    }

    [Test]
    public void AMissingEnergyEventIsRejectedBeforeTraining()
    {
        var table = Path.Combine(_root, "partial.json");
        File.WriteAllText(table, "{\"events\": {\"fp32Mac\": 4.6, \"fp32Add\": 0.9}}");
        var folder = new RunFolder(Path.Combine(_root, "bad-table"));
        var ex = Assert.Throws<InvalidDataException>(() => Run(Small(8) with { EnergyTable = table }, folder));
        Assert.That(ex!.Message, Does.Contain("fp32Mult").And.Contain("dram64").And.Contain("int8Add"), "every missing event is named");
        Assert.That(Directory.GetFileSystemEntries(folder.Path), Is.Empty, "nothing was written");
    }

    [TestCase("gemm", "exact", "accumulator", "too small")]
    [TestCase("quantize", "biases=lns8", "", "unknown tensor 'biases'")]
    [TestCase("quantize", "errors=lns40", "", "outside [2, 16]")]
    [TestCase("seeds", "0", "", "--seeds 0")]
    [TestCase("variants", "mine", "", "'mine' is unknown")]
    public void BadFullLnsSettingsAreRejectedBeforeTraining(string what, string value, string extra, string mentions)
    {
        var s = Small() with { Bits = [], UpdateBits = [12], Variants = ["authors"] };
        s = what switch
        {
            "gemm" => s with { Gemm = value, AccumulatorBits = 8, FractionBits = 7 },
            "quantize" => s with { Quantize = [value] },
            "seeds" => s with { Seeds = int.Parse(value) },
            _ => s with { Variants = [value] },
        };
        var folder = new RunFolder(Path.Combine(_root, "bad-" + what));
        var ex = Assert.Catch<ArgumentException>(() => Run(s, folder));
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(Directory.GetFileSystemEntries(folder.Path), Is.Empty, "nothing was written");
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
