using System.Text.Json;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Transfer;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// hybrid transfer's hardware slices (issue 23 item 6: --bits and --c2c-noise): which optimisers get which points, that a run
/// without the options keeps its points' keys and config.json, the refusals, and a tiny run whose summary has the bits slice.
/// </summary>
public class TransferHardwareTests : PointTestBase
{
    private static TransferSettings Grid => TransferSettings.Quick with
    {
        Optimizers = ["lns-madam", "madam", "lns-madam-sim"], Widths = [16, 32], Depths = [1, 2], BaseWidth = 16, BaseDepth = 1,
        Seeds = 2, Data = Tiny, Bits = [16, 8, 6], C2cNoise = [0, 0.1],
    };

    [Test]
    public void EachOptimiserThatTakesTheSettingGetsOnePointSetPerValueAtTheBaseArchitecture()
    {
        var s = Grid;
        Assert.That(s.HardwareOptimizers("bits"), Is.EqualTo(new[] { "lns-madam", "lns-madam-sim" }));
        Assert.That(s.HardwareOptimizers("c2c-noise"), Is.EqualTo(new[] { "lns-madam" }), "lns-madam-sim has no device model; madam needs an analog device");
        Assert.That(s.LeftOut("bits").Select(x => x.Optimizer), Is.EqualTo(new[] { "madam" }));
        Assert.That(s.LeftOut("c2c-noise").Select(x => x.Optimizer), Is.EqualTo(new[] { "madam", "lns-madam-sim" }));
        Assert.That(s.LeftOut("c2c-noise")[0].Why, Does.Contain("device").And.Not.Contain("(Parameter"));

        var hw = s.HardwarePoints;
        // bits: 2 optimisers × 3 bit widths, c2c: 1 × 2 levels; 3 rates; 2 seeds
        Assert.That(hw, Has.Count.EqualTo((2 * 3 + 1 * 2) * 3 * 2));
        Assert.That(hw.All(p => p.Width == 16 && p.Depth == 1), "the hardware slices sit at the base width and depth");
        Assert.That(hw.Where(p => p.Optimizer == "madam"), Is.Empty);
        Assert.That(hw.Where(p => p.Bits is not null).Select(p => p.Bits!.Value).Distinct(), Is.EqualTo(new[] { 16, 8, 6 }));
        Assert.That(hw.Where(p => p.C2cNoise is not null).Select(p => p.Optimizer).Distinct(), Is.EqualTo(new[] { "lns-madam" }));
        Assert.That(hw.All(p => p.Bits is null != p.C2cNoise is null), "one hardware setting per point");
        Assert.That(s.Points.Select(p => p.Key).Distinct().Count(), Is.EqualTo(s.Points.Count), "every point has its own folder");

        var plain = s with { Bits = null, C2cNoise = null };
        Assert.That(plain.HardwarePoints, Is.Empty);
        Assert.That(s.Points.Take(plain.Points.Count / 2), Is.EqualTo(plain.Points.Take(plain.Points.Count / 2)),
            "the width and depth points of the first seed come first, as without the options");
        Assert.That(s.Points.Where(p => p.Bits is null && p.C2cNoise is null).ToList(), Is.EquivalentTo(plain.Points));
        Assert.DoesNotThrow(s.Validate);

        var shifts = new TransferExperiment().Headline(s).Where(h => h.Name.Contains("shift")).ToList();
        Assert.That(shifts.Select(h => h.Name).Where(n => n.Contains(".bits.") || n.Contains(".c2c-noise.")),
            Is.EqualTo(new[] { "lns-madam.bits.shift_decades", "lns-madam-sim.bits.shift_decades", "lns-madam.c2c-noise.shift_decades" }),
            "a sweep tables each hardware slice's shift");
        Assert.That(shifts.Select(h => h.Name).Where(n => n.Contains(".width.") || n.Contains(".depth.")), Is.EqualTo(
            new[] { "lns-madam", "madam", "lns-madam-sim" }.Select(o => $"{o}.width.shift_decades")
                .Concat(new[] { "lns-madam", "madam", "lns-madam-sim" }.Select(o => $"{o}.depth.shift_decades"))),
            "and each optimiser's width and depth shifts");
        Assert.That(shifts.All(h => h.ZeroIsBest && h.Direction == "closer to 0 is better"), "a shift is signed: the best is the one nearest 0");
        Assert.That(new TransferExperiment().Headline(plain).Where(h => h.Name.Contains(".bits.") || h.Name.Contains(".c2c-noise.")), Is.Empty,
            "and no hardware shift without the options");
        Assert.That(new TransferExperiment().Headline(plain with { Widths = [16], Depths = [1] }).Select(h => h.Name), Is.All.EndsWith(".best_loss"),
            "one width and one depth: no slice to shift along");
    }

    [Test]
    public void KeysAndConfigsNameTheHardwareOnlyWhenItIsSet()
    {
        var p = new TrainingPoint("mlp", 1, 16, true, "adam", 1e-3, 1, 100, 1.0, 0, Tiny);
        Assert.That(p.Key, Is.EqualTo("adam-lr1e-03-mlp-d01-w16-s0"), "the key of earlier runs");
        var json = JsonSerializer.Serialize(p);
        Assert.That(json, Does.Not.Contain("Bits").And.Not.Contain("C2cNoise").And.Not.Contain("OptimizerSpec"));
        Assert.That(JsonSerializer.Serialize(TransferSettings.Default), Does.Not.Contain("Bits").And.Not.Contain("C2cNoise"),
            "config.json (and so a sweep's run ids) as before");

        var lns = p with { Optimizer = "lns-madam", Lr = 1e-2 };
        Assert.That((lns with { Bits = 6 }).Key, Is.EqualTo("lns-madam-lr1e-02-mlp-d01-w16-s0-b06"));
        Assert.That((lns with { Bits = 16 }).Key, Is.EqualTo("lns-madam-lr1e-02-mlp-d01-w16-s0-b16"));
        Assert.That((lns with { C2cNoise = 0.1 }).Key, Is.EqualTo("lns-madam-lr1e-02-mlp-d01-w16-s0-c0.1"));
        Assert.That((lns with { C2cNoise = 0 }).Key, Is.EqualTo("lns-madam-lr1e-02-mlp-d01-w16-s0-c0"), "no noise set explicitly is still its own point");
        Assert.That(JsonSerializer.Serialize(lns with { Bits = 6 }), Does.Contain("\"Bits\":6"));
        Assert.That((lns with { Bits = 6 }).OptimizerSpec.Bits, Is.EqualTo(6));
        Assert.That((lns with { C2cNoise = 0.1 }).OptimizerSpec.C2cNoise, Is.EqualTo(0.1));
        Assert.That(() => (p with { Bits = 6 }).Validate(), Throws.ArgumentException.With.Message.Contains("--bits does not apply to adam"),
            "a point is validated with its optimiser's spec");
    }

    private static IEnumerable<TestCaseData> Refused()
    {
        var s = TransferSettings.Quick with { Data = Tiny }; // adam, madam
        yield return new TestCaseData(s with { Bits = [8, 6] }, "--bits: none of --optimizers adam,madam takes it").SetName("TransferBitsWithNoLnsOptimizer");
        yield return new TestCaseData(s with { C2cNoise = [0, 0.1] }, "--c2c-noise: none of --optimizers adam,madam takes it").SetName("TransferNoiseWithNoDeviceOptimizer");
        yield return new TestCaseData(s with { Optimizers = ["lns-madam"], Bits = [8, 99] }, "--bits 99 is outside").SetName("TransferBitsOutOfRange");
        yield return new TestCaseData(s with { Optimizers = ["lns-madam"], Bits = [8, 8] }, "--bits lists a value twice").SetName("TransferBitsTwice");
        yield return new TestCaseData(s with { Optimizers = ["lns-madam"], Bits = [] }, "--bits is empty").SetName("TransferBitsEmpty");
        yield return new TestCaseData(s with { Optimizers = ["lns-madam"], C2cNoise = [0, -0.1] }, "--c2c-noise -0.1 must be").SetName("TransferNoiseNegative");
    }

    [TestCaseSource(nameof(Refused))]
    public void BadHardwareAxesAreRefusedBeforeAnythingIsWritten(TransferSettings settings, string mentions)
    {
        var folder = new RunFolder(Path.Combine(Root, "bad"));
        var ex = Assert.Catch<ArgumentException>(() => ExperimentHost.Run(new TransferExperiment(), settings, folder, false));
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(ex.Message, Does.Not.Contain("\n"), "one line");
        Assert.That(Directory.Exists(folder.Path) ? Directory.GetFileSystemEntries(folder.Path) : [], Is.Empty, "nothing was written");
    }

    [Test]
    public void ATinyRunHasTheBitsSliceWithAFiniteShiftForLnsMadam()
    {
        // 5 epochs: after one, no rate of this tiny task is below 95 % of the chance loss (as the width/depth test)
        var s = TransferSettings.Quick with
        {
            Optimizers = ["lns-madam", "madam"], Widths = [16], Depths = [1], BaseWidth = 16, BaseDepth = 1, Epochs = 5, Seeds = 2,
            Data = Tiny, Bits = [8, 6],
        };
        var folder = new RunFolder(Path.Combine(Root, "transfer"));
        var run = ExperimentHost.Run(new TransferExperiment(), s, folder, false);
        var (results, summary) = run.Result!;
        Assert.That(results, Has.Count.EqualTo(2 * (2 + 2) * 3), "seeds × (two plain points sets + two bit widths of lns-madam) × three rates");
        Assert.That(results.All(r => r.Completed), "lns-madam trains in transfer");
        var bits = summary.Slices.Where(x => x.Axis == "bits").ToList();
        Assert.That(bits.Select(x => x.Optimizer), Is.EqualTo(new[] { "lns-madam" }), "madam takes no bits");
        Assert.That(bits[0].Values, Is.EqualTo(new double[] { 8, 6 }), "in the order given");
        Assert.That(double.IsFinite(bits[0].ShiftDecades), bits[0].ToString());
        Assert.That(bits[0].ShiftDecades, Is.EqualTo(Math.Log10(bits[0].BestLr[^1] / bits[0].BestLr[0])).Within(1e-9));
        Assert.That(bits[0].SeedShift, Is.Not.Null, "two seeds: an interval");
        Assert.That(summary.Cells.Count(c => c.Bits is not null), Is.EqualTo(2 * 3));
        Assert.That(run.Outcome!.Metrics, Contains.Key("lns-madam.bits.shift_decades"));
        Assert.That(run.Outcome.Metrics.Keys.Where(k => k.Contains("c2c")), Is.Empty);
        foreach (var f in new[] { "loss-vs-lr-by-bits.png", "accuracy-vs-lr-by-bits.png", "loss-vs-lr-by-width.png" })
            Assert.That(folder.Has(f), f);
        Assert.That(folder.Has("loss-vs-lr-by-c2c-noise.png"), Is.False, "no noise slice asked for");
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("| lns-madam | 0.01 | bits | 8: "));
        Assert.That(report, Does.Contain("madam is left out of the bits slice"));
        Assert.That(Directory.GetDirectories(Path.Combine(folder.Path, "points")).Count(d => d.EndsWith("-b06")), Is.EqualTo(2 * 3));
    }
}
