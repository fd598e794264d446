using Hybrid.Experiments.Depth;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Transfer;
using Hybrid.Experiments.Trust;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// hybrid trust, depth and transfer end to end on synthetic data (so the tests need no data
/// set installed): every output written, a resumed experiment reads finished points back
/// instead of retraining, and bad input is refused before anything is written.
/// </summary>
public class Part2ExperimentTests : PointTestBase
{
    private RunFolder Folder(string name) => new(Path.Combine(Root, name));

    private static List<PointResult> Silent(Func<ITrainingObserver, List<PointResult>> body) => body(SilentObserver.Instance);

    [Test]
    public void DepthWritesItsOutputsAndResumesWithoutRetraining()
    {
        var s = DepthSettings.Quick with { Optimizers = ["sgd", "nero"], Depths = [1, 3], Width = 16, Epochs = 1, Seeds = 2, Data = Tiny };
        var folder = Folder("depth");
        var (results, summary) = ExperimentHost.Run(new DepthExperiment(), s, folder, false).Result!;
        Assert.That(results, Has.Count.EqualTo(8));
        Assert.That(results.All(r => r.Completed && r.Epochs == 1));
        foreach (var f in new[] { "config.json", "results.csv", "results.json", "summary.json", "report.md", "depth-heatmap.png",
                     "accuracy-vs-depth.png", "learning-curves.png" })
            Assert.That(folder.Has(f), f);
        Assert.That(File.ReadAllLines(folder.File("results.csv")), Has.Length.EqualTo(9));
        Assert.That(summary.Best, Has.Count.EqualTo(4));
        Assert.That(summary.Best.All(b => b.Accuracy.Count == 2 && double.IsFinite(b.Accuracy.HalfWidth)), "two seeds give an interval");
        var point = Path.Combine(folder.Path, "points", results[0].Point.Key, UnitStore.File);
        Assert.That(File.Exists(Path.Combine(folder.Path, "points", results[0].Point.Key, RunFolder.CheckpointFile)), Is.False, "finished checkpoints removed");
        var stamp = File.GetLastWriteTimeUtc(point);
        var (again, _) = ExperimentHost.Run(new DepthExperiment(), s, folder, true).Result!;
        Assert.That(again, Is.EqualTo(results));
        Assert.That(File.GetLastWriteTimeUtc(point), Is.EqualTo(stamp), "a finished point is read back, not retrained");
        Assert.Throws<InvalidOperationException>(() => ExperimentHost.Run(new DepthExperiment(), s, folder, false), "a fresh run into a used folder");
        Assert.Throws<InvalidOperationException>(() => ExperimentHost.Run(new DepthExperiment(), s with { Width = 8 }, folder, true), "resume with other settings");
    }

    [Test]
    public void AResumeInAnotherEnvironmentThanTheRunBeganInSaysSo()
    {
        var s = DepthSettings.Quick with { Optimizers = ["sgd"], Depths = [1], Width = 8, Epochs = 1, Seeds = 1, Data = Tiny };
        var folder = Folder("env");
        ExperimentHost.Run(new DepthExperiment(), s, folder, false);
        var env = System.Text.Json.Nodes.JsonNode.Parse(folder.ReadText(ExperimentHost.EnvironmentFile))!;
        Assert.That((int)env["torchThreads"]!, Is.EqualTo(1), "environment.json records what the run began under: one libtorch thread here");

        var same = new List<string>();
        ExperimentHost.Run(new DepthExperiment(), s, new RunRequest(RunFolder.At(folder.Path)) { Resume = true, Threads = 1, Warn = same.Add });
        Assert.That(same, Is.Empty, string.Join(" / ", same));

        env["torchThreads"] = 999;
        RunFolder.At(folder.Path).WriteText(ExperimentHost.EnvironmentFile, env.ToJsonString()); // through the folder (read afresh): the manifest accepts it
        var other = new List<string>();
        ExperimentHost.Run(new DepthExperiment(), s, new RunRequest(RunFolder.At(folder.Path)) { Resume = true, Threads = 1, Warn = other.Add });
        Assert.That(other, Has.One.Contains("torchThreads: 999 in the run, 1 now").And.Contains("another environment than it began in"));
    }

    [Test]
    public void TransferWritesItsOutputsAndFindsABestRatePerWidthAndDepth()
    {
        var s = TransferSettings.Quick with { Optimizers = ["adam"], Widths = [8, 16], Depths = [1, 2], BaseWidth = 8, Epochs = 5, Seeds = 1, Data = Tiny }; // 5 epochs: after one, no rate of this tiny task is below 95 % of the chance loss, and the summary (rightly) names no best rate
        var folder = Folder("transfer");
        var (results, summary) = ExperimentHost.Run(new TransferExperiment(), s, folder, false).Result!;
        Assert.That(results, Has.Count.EqualTo(3 * 3), "architectures (8,1), (16,1), (8,2) × three rates");
        foreach (var f in new[] { "config.json", "results.csv", "summary.json", "report.md", "loss-vs-lr-by-width.png", "loss-vs-lr-by-depth.png",
                     "accuracy-vs-lr-by-width.png", "accuracy-vs-lr-by-depth.png" })
            Assert.That(folder.Has(f), f);
        Assert.That(summary.Slices.Select(x => x.Axis), Is.EqualTo(new[] { "width", "depth" }));
        foreach (var slice in summary.Slices)
        {
            Assert.That(slice.BestLr, Is.All.AnyOf(1e-2, 1e-3, 1e-4));
            Assert.That(slice.ShiftDecades, Is.EqualTo(Math.Log10(slice.BestLr[^1] / slice.BestLr[0])).Within(1e-9));
        }
        var (again, _) = ExperimentHost.Run(new TransferExperiment(), s, folder, true).Result!;
        Assert.That(again, Is.EqualTo(results));
    }

    [Test]
    public void TheInterpolatedBestRateIsTheParabolasMinimum()
    {
        double[] lrs = [1e-3, 1e-2, 1e-1];
        // loss = (log10 lr + 1.8)² + 1: minimum at 10^-1.8, inside the grid's best (1e-2) and its neighbours
        var loss = lrs.Select(l => Math.Pow(Math.Log10(l) + 1.8, 2) + 1).ToArray();
        var (grid, interp) = TransferSummary.BestLr(lrs, loss);
        Assert.That(grid, Is.EqualTo(1e-2));
        Assert.That(Math.Log10(interp), Is.EqualTo(-1.8).Within(1e-9));
        Assert.That(TransferSummary.BestLr(lrs, [1, 2, 3]), Is.EqualTo((1e-3, 1e-3)), "at the edge: no neighbour, no interpolation");
        Assert.That(TransferSummary.BestLr(lrs, [double.NaN, 2, double.NaN]), Is.EqualTo((1e-2, 1e-2)), "diverged neighbours");
        Assert.That(double.IsNaN(TransferSummary.BestLr(lrs, [double.NaN, double.NaN, double.NaN]).Grid));
    }

    [Test]
    public void TrustWritesTheRatiosAndTheSlicesAndResumes()
    {
        var s = TrustSettings.Quick with
        {
            Depths = [1, 3], Width = 16, Examples = 32, Seeds = 2, Data = Tiny,
            Slices = TrustSettings.Quick.Slices with { Nets = ["mlp-2", "residual-mlp-3"], Width = 16, SliceExamples = 64, Data = Tiny },
        };
        var folder = Folder("trust");
        var (bounds, slices) = ExperimentHost.Run(new TrustExperiment(), s, folder, false).Result!;
        Assert.That(bounds, Has.Count.EqualTo(4));
        Assert.That(slices, Has.Count.EqualTo(2));
        Assert.That(slices.All(r => r.Status == RunStatus.Completed && r.Curves.Count == 2), "a slice at the initialisation and after epoch 1");
        Assert.That(bounds.SelectMany(b => b.Rows).Where(r => r.Direction == "radial").Select(r => r.Ratio), Is.All.EqualTo(1.0).Within(1e-9));
        foreach (var f in new[] { "config.json", "results.csv", "slices.csv", "summary.json", "report.md", "trust-ratio.png", "trust-vs-depth.png", "curvature-slices.png" })
            Assert.That(folder.Has(f), f);
        var sliceFile = Path.Combine(folder.Path, "slices", slices[0].Point.Key, "slices.json");
        var stamp = File.GetLastWriteTimeUtc(sliceFile);
        var (b2, s2) = ExperimentHost.Run(new TrustExperiment(), s, folder, true).Result!;
        Assert.That(b2.SelectMany(b => b.Rows), Is.EqualTo(bounds.SelectMany(b => b.Rows)));
        Assert.That(s2.SelectMany(r => r.Curves.SelectMany(c => c.Loss)), Is.EqualTo(slices.SelectMany(r => r.Curves.SelectMany(c => c.Loss))));
        Assert.That(File.GetLastWriteTimeUtc(sliceFile), Is.EqualTo(stamp), "finished slices are read back");
    }

    private static IEnumerable<TestCaseData> BadInput()
    {
        var depth = DepthSettings.Quick with { Data = Tiny };
        var transfer = TransferSettings.Quick with { Data = Tiny };
        var trust = TrustSettings.Quick with { Data = Tiny };
        yield return new TestCaseData("depth", depth with { Depths = [0, 2] }, "--depths").SetName("DepthBelowOne");
        yield return new TestCaseData("depth", depth with { Depths = [] }, "--depths").SetName("EmptyDepthGrid");
        yield return new TestCaseData("depth", depth with { Optimizers = [] }, "--optimizers").SetName("EmptyOptimizerGrid");
        yield return new TestCaseData("depth", depth with { Optimizers = ["adamw"] }, "valid: adam").SetName("UnknownOptimizer");
        yield return new TestCaseData("depth", depth with { Seeds = 0 }, "--seeds").SetName("NoSeeds");
        yield return new TestCaseData("depth", depth with { Data = Tiny with { TrainSize = 0 } }, "--train-size").SetName("EmptyTrainingSet");
        yield return new TestCaseData("depth", depth with { Data = Tiny with { TrainSize = 20_000 } }, "--train-size").SetName("TrainingSetTooLarge");
        yield return new TestCaseData("transfer", transfer with { Widths = [] }, "--widths").SetName("EmptyWidthGrid");
        yield return new TestCaseData("transfer", transfer with { Depths = [2, -1] }, "--depths").SetName("TransferDepthBelowOne");
        yield return new TestCaseData("transfer", transfer with { BaseWidth = 99 }, "--base-width").SetName("BaseWidthOffTheGrid");
        yield return new TestCaseData("transfer", transfer with { Grid = "diagonal" }, "--grid").SetName("UnknownGrid");
        yield return new TestCaseData("trust", trust with { Epsilons = [0.01, 0] }, "--epsilons").SetName("EpsilonZero");
        yield return new TestCaseData("trust", trust with { Epsilons = [-0.1] }, "--epsilons").SetName("EpsilonNegative");
        yield return new TestCaseData("trust", trust with { Epsilons = [] }, "--epsilons").SetName("EmptyEpsilonGrid");
        yield return new TestCaseData("trust", trust with { Depths = [0] }, "--depths").SetName("TrustDepthBelowOne");
        yield return new TestCaseData("trust", trust with { Directions = ["sideways"] }, "--directions").SetName("UnknownDirection");
        yield return new TestCaseData("trust", trust with { Slices = trust.Slices with { Nets = ["mlp-0"] } }, "--slice-nets").SetName("SliceNetDepthBelowOne");
        yield return new TestCaseData("trust", trust with { Slices = trust.Slices with { Nets = ["cnn-4"] } }, "--slice-nets").SetName("SliceNetUnknownKind");
        yield return new TestCaseData("trust", trust with { Slices = trust.Slices with { Moves = [0.1, 0] } }, "--slice-moves").SetName("SliceMoveZero");
        yield return new TestCaseData("trust", trust with { Slices = trust.Slices with { Checkpoints = [5] } }, "--slice-checkpoints").SetName("CheckpointAfterTraining");
    }

    [TestCaseSource(nameof(BadInput))]
    public void BadInputIsRefusedBeforeAnythingIsWritten(string command, object settings, string mentions)
    {
        var folder = Folder("bad");
        var ex = Assert.Catch<ArgumentException>(() =>
        {
            switch (settings)
            {
                case DepthSettings d: ExperimentHost.Run(new DepthExperiment(), d, folder, false); break;
                case TransferSettings t: ExperimentHost.Run(new TransferExperiment(), t, folder, false); break;
                case TrustSettings s: ExperimentHost.Run(new TrustExperiment(), s, folder, false); break;
            }
        }, command);
        Assert.That(ex!.Message, Does.Contain(mentions));
        Assert.That(Directory.GetFileSystemEntries(folder.Path), Is.Empty, "nothing was written");
    }
}
