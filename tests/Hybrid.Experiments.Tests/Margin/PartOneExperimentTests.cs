using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Uncertainty;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>
/// margin, bpm and uncertainty end to end: their --quick settings on the synthetic Gaussian mixture
/// (odd-even of its 10 clusters, 500 test points, so the suite stays fast), resume, margin ∝ α on a
/// tiny problem, and bad input rejected before anything is written.
/// </summary>
public class PartOneExperimentTests
{
    private string _root = null!;
    private string _bpmRun = null!;
    private BpmResult _bpm = null!;

    private static MarginSettings QuickMargin => MarginSettings.Quick with { Data = "mixture", TestSize = 500 };
    private static BpmSettings QuickBpm => BpmSettings.Quick with { Data = "mixture", TestSize = 500 };

    [OneTimeSetUp]
    public void RunBpmOnce()
    {
        _root = Directory.CreateTempSubdirectory("hybrid-part1-").FullName;
        _bpmRun = Path.Combine(_root, "bpm");
        _bpm = ExperimentHost.Run(new BpmExperiment(), QuickBpm, new RunFolder(_bpmRun), resume: false).Result!;
    }

    [OneTimeTearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void BpmQuickPathWritesEverythingAndTheBoundsHold()
    {
        foreach (var f in new[] { "config.json", "report.md", "results.csv", "summary.csv", "results.json", "summary.json",
                     "test-error-vs-n.png", "bounds-vs-n.png", "vote-error-vs-k.png" })
            Assert.That(File.Exists(Path.Combine(_bpmRun, f)), f);
        Assert.That(_bpm.Units, Has.Count.EqualTo(2), "n = 50 at two seeds");
        Assert.That(File.ReadAllText(Path.Combine(_bpmRun, "report.md")), Does.Contain("Certificates from training data"));
        foreach (var u in _bpm.Units)
        {
            var (gp, _, nn, _) = BpmCertificates.ForUnit(u, QuickBpm.Delta);
            Assert.That(gp.CBound, Is.GreaterThanOrEqualTo(gp.GibbsBound), "with no training disagreement the C-bound is no better than the Gibbs bound");
            Assert.That(nn.GibbsBound, Is.GreaterThanOrEqualTo(1 - u.NnMeanTrainAccuracy), "a bound is at least the empirical risk it starts from");
            Assert.That(File.Exists(Path.Combine(_bpmRun, "units", "n-0050", $"seed-{u.Seed}", BpmUnit.PredictionsFile)));
            Assert.That(u.GpCBound, Is.GreaterThanOrEqualTo(u.GpVote), "the C-bound bounds the vote it is computed for");
            Assert.That(u.NnCBound, Is.GreaterThanOrEqualTo(u.NnVote));
            Assert.That(u.GpGibbs, Is.GreaterThan(u.GpVote), "one random voter is worse than the vote");
            Assert.That(Math.Abs(u.KernelError - u.GpVote), Is.LessThan(0.03), "kernel interpolator ≈ GP vote");
            Assert.That(u.GibbsBound, Is.GreaterThan(u.GpGibbs).And.LessThan(1), "the Gibbs bound holds and is non-vacuous");
            Assert.That(u.LnInvPMonteCarlo, Is.LessThan(u.LnInvPAnalytic), "the analytic ln 1/P is an upper bound");
            Assert.That(u.LargeMarginTrainAccuracy, Is.GreaterThanOrEqualTo(0.95), "the large-margin net (nearly) interpolates in 100 steps");
            Assert.That(u.Rademacher, Is.GreaterThan(1), "vacuous, as in the authors' runs");
        }
        Assert.That(_bpm.Summary.Select(r => r.Key).Distinct(), Is.EquivalentTo(BpmExperiment.Quantities.Select(q => q.Key)));
        Assert.That(_bpm.Curves, Has.Count.EqualTo(2));
        foreach (var (u, curve) in _bpm.Units.Zip(_bpm.Curves!))
        {
            Assert.That(curve, Is.Not.Null, "every new unit has its vote curve");
            var nn = curve!.Where(p => p.Ensemble == "nn").ToArray();
            Assert.That(nn.Select(p => p.K), Is.EqualTo(VoteCurve.Ks(QuickBpm.NnVoters)));
            Assert.That(nn[^1].VoteError, Is.EqualTo(u.NnVote), "the curve at k = all voters is the reported NN vote, exactly");
            Assert.That(curve.Last(p => p.Ensemble == "gp").VoteError, Is.EqualTo(u.GpVote), "and at all draws the GP vote");
            Assert.That(curve.Count(p => p.Ensemble == "nn_fit"), Is.EqualTo(VoteCurve.Ks((int)Math.Round(u.NnVotersInterpolating * QuickBpm.NnVoters)).Length));
        }
        Assert.That(File.ReadAllText(Path.Combine(_bpmRun, "report.md")), Does.Contain("Vote error against the number of voters"));
    }

    [Test]
    public void BpmResumeReusesFinishedUnits()
    {
        var unit = Path.Combine(_bpmRun, "units", "n-0050", "seed-0", UnitStore.File);
        var stamp = File.GetLastWriteTimeUtc(unit);
        var again = ExperimentHost.Run(new BpmExperiment(), QuickBpm, new RunFolder(_bpmRun), resume: true).Result!;
        Assert.That(again.Units, Is.EqualTo(_bpm.Units));
        Assert.That(File.GetLastWriteTimeUtc(unit), Is.EqualTo(stamp), "not recomputed");
        Assert.Throws<InvalidOperationException>(() => ExperimentHost.Run(new BpmExperiment(), QuickBpm, new RunFolder(_bpmRun), resume: false));
        Assert.Throws<InvalidOperationException>(() =>
            ExperimentHost.Run(new BpmExperiment(), QuickBpm with { NnVoters = 3 }, new RunFolder(_bpmRun), resume: true));
    }

    [Test]
    public void UncertaintyQuickPathReusesTheBpmUnits()
    {
        var folder = new RunFolder(Path.Combine(_root, "uncertainty"));
        var (metrics, correlations) = ExperimentHost.Run(new UncertaintyExperiment(), new UncertaintySettings(QuickBpm, _bpmRun), folder, false).Result!;
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "units")), Is.False, "nothing retrained");
        foreach (var f in new[] { "report.md", "results.csv", "selective.csv", "reliability.csv", "rank-correlations.csv", "results.json",
                     "selective-accuracy-n50.png", "reliability-n50.png" })
            Assert.That(folder.Has(f), f);
        Assert.That(metrics, Has.Count.EqualTo(2 * UncertaintyExperiment.Sources.Count));
        foreach (var m in metrics)
        {
            Assert.That(m.Selective[^1], Is.EqualTo(m.Accuracy).Within(1e-12), "full coverage is plain accuracy");
            Assert.That(double.IsNaN(m.Ece), Is.EqualTo(m.Source == "large-margin"));
        }
        var unit = _bpm.Units.First(u => u.Seed == 0);
        var nnVote = metrics.First(m => m.Seed == 0 && m.Source == "nn-vote");
        Assert.That(nnVote.Accuracy, Is.EqualTo(1 - unit.NnVote).Within(1e-12), "the NN vote's accuracy as bpm measured it (odd voters: no ties)");
        Assert.That(correlations.All(c => c.Spearman is >= -1 and <= 1));
        Assert.That(() => ExperimentHost.Run(new UncertaintyExperiment(), new UncertaintySettings(QuickBpm with { NnVoters = 7 }, _bpmRun),
                new RunFolder(Path.Combine(_root, "u2")), false).Result!,
            Throws.InvalidOperationException.With.Message.Contains("no finished unit"));
    }

    [Test]
    public void MarginQuickPathHasTheExpectedShape()
    {
        var folder = new RunFolder(Path.Combine(_root, "margin"));
        var (units, kernels) = ExperimentHost.Run(new MarginExperiment(), QuickMargin, folder, resume: false).Result!;
        foreach (var f in new[] { "config.json", "report.md", "results.csv", "kernel.csv", "summary.csv", "results.json",
                     "accuracy-vs-alpha.png", "margin-vs-alpha.png" })
            Assert.That(folder.Has(f), f);
        Assert.That(units, Has.Count.EqualTo(2 * QuickMargin.Alphas.Length));
        Assert.That(kernels, Has.Count.EqualTo(2));
        var summary = MarginUnit.Summarise(units);
        Assert.That(summary[^1].Single.Mean, Is.GreaterThan(summary[0].Single.Mean + 0.1), "large α generalises better than tiny α");
        Assert.That(units.Average(u => u.RandomTestAccuracy), Is.InRange(0.35, 0.65), "random labels stay near chance");
        Assert.That(units.Where(u => u.AverageK > 1).All(u => !double.IsNaN(u.AverageTestAccuracy)));
        var again = ExperimentHost.Run(new MarginExperiment(), QuickMargin, folder, resume: true).Result!;
        Assert.That(again.Units, Is.EqualTo(units), "resume reads every unit back");
    }

    [Test]
    public void MarginIsProportionalToAlphaOnATinyProblem()
    {
        var s = new MarginSettings([0.01, 0.1, 1], [], Data: "mixture", TrainSize: 40, TestSize: 200, Depth: 2, Width: 32, Steps: 300,
            RandomLabels: false, Seeds: 1);
        var (units, _) = ExperimentHost.Run(new MarginExperiment(), s, new RunFolder(Path.Combine(_root, "proportional")), false).Result!;
        Assert.That(units.All(u => u.Interpolates), "every net fits its training set");
        var ratio = units.Select(u => u.MarginMedian / u.Alpha).ToArray();
        Assert.That(ratio.Max() / ratio.Min(), Is.LessThan(1.1), $"margin/α = {string.Join(", ", ratio)}");
        var (slope, _) = MarginReport.MarginSlope(units);
        Assert.That(slope, Is.EqualTo(1).Within(0.05));
    }

    [Test]
    public void BadInputIsRejectedBeforeAnythingIsWritten()
    {
        var cases = new (Action Run, string Mentions)[]
        {
            (() => ExperimentHost.Run(new MarginExperiment(), QuickMargin with { Alphas = [0.1, 0] }, Folder("a"), false), "--alphas 0"),
            (() => ExperimentHost.Run(new MarginExperiment(), QuickMargin with { Alphas = [-1] }, Folder("b"), false), "--alphas -1"),
            (() => ExperimentHost.Run(new MarginExperiment(), QuickMargin with { TrainSize = 20_000 }, Folder("c"), false), "--train-size 20000"),
            (() => ExperimentHost.Run(new MarginExperiment(), QuickMargin with { Task = "parity" }, Folder("d"), false), "--task 'parity'"),
            (() => ExperimentHost.Run(new MarginExperiment(), QuickMargin with { AverageAlphas = [0.5] }, Folder("e"), false), "--average-alphas"),
            (() => ExperimentHost.Run(new BpmExperiment(), QuickBpm with { TrainSizes = [20_000] }, Folder("f"), false), "--n 20000"),
            (() => ExperimentHost.Run(new BpmExperiment(), QuickBpm with { Task = "none" }, Folder("g"), false), "binary task"),
            (() => ExperimentHost.Run(new BpmExperiment(), QuickBpm with { LargeMargin = 0 }, Folder("h"), false), "--large-margin"),
            (() => ExperimentHost.Run(new BpmExperiment(), QuickBpm with { Task = "parity" }, Folder("i"), false), "--task 'parity'"),
            (() => ExperimentHost.Run(new UncertaintyExperiment(), new UncertaintySettings(QuickBpm, Path.Combine(_root, "nowhere")), Folder("j"), false), "--from"),
        };
        foreach (var (run, mentions) in cases)
        {
            Assert.That(() => run(), Throws.InstanceOf<ArgumentException>().With.Message.Contains(mentions), mentions);
        }
        foreach (var name in "abcdefghij") Assert.That(File.Exists(Path.Combine(_root, "bad", name.ToString(), "config.json")), Is.False, $"{name}");
    }

    private RunFolder Folder(string name) => new(Path.Combine(_root, "bad", name));
}
