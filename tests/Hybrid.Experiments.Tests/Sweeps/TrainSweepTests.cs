using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>Sweeps of real (tiny) train and compare runs: sharded equals one process run for run; a run
/// interrupted after an epoch resumes from its checkpoint to the same numbers.</summary>
public class TrainSweepTests : SweepTestBase
{
    private static string Merged(SweepPlan plan) => File.ReadAllText(Path.Combine(SweepReport.Write(SweepMerge.Collect(plan)).Path, "results.csv"));

    [Test]
    public void ShardedRunsEqualOneProcessRunForRun()
    {
        var whole = Plan(Tiny(epochs: 1), Path.Combine(Root, "whole"));
        var sharded = Plan(Tiny(epochs: 1), Path.Combine(Root, "sharded"));
        Assert.That(SweepRunner.Run(whole, ShardSpec.Whole).Completed, Is.EqualTo(4));
        for (int i = 0; i < 3; ++i) SweepRunner.Run(sharded, new ShardSpec(i, 3, "test"));
        var a = Merged(whole);
        Assert.That(Merged(sharded), Is.EqualTo(a));
        Assert.That(a.Split('\n')[0], Does.Contain("test_accuracy").And.Contain("train_loss"));
        Assert.That(a.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5));
    }

    [Test]
    public void AnInterruptedTrainingRunResumesFromItsCheckpointToTheSameResult()
    {
        var json = Tiny("\"width\": [4]", seeds: "1", epochs: 3);
        var reference = Plan(json, Path.Combine(Root, "reference"));
        SweepRunner.Run(reference, ShardSpec.Whole);

        var plan = Plan(json, Path.Combine(Root, "interrupted"));
        using var cts = new CancellationTokenSource();
        var stopAfterFirstEpoch = new SweepRunnerHooks { Progress = new CancelOnEpochProgress(cts) };
        Assert.That(SweepRunner.Run(plan, ShardSpec.Whole, stopAfterFirstEpoch, cts.Token).Cancelled);
        var path = plan.RunPath(plan.Runs[0].Id);
        Assert.That(SweepRunFiles.State(path).State, Is.EqualTo(RunState.Interrupted));
        Assert.That(File.Exists(Path.Combine(path, "checkpoint.bin")));

        Assert.That(SweepRunner.Run(plan, ShardSpec.Whole).Completed, Is.EqualTo(1));
        Assert.That(SweepRunFiles.ReadRecord(path)!.Attempts.Select(a => a.Resumed), Is.EqualTo(new[] { false, true }));
        var resumed = SweepRunFiles.ReadResult(path)!;
        var uninterrupted = SweepRunFiles.ReadResult(reference.RunPath(plan.Runs[0].Id))!;
        Assert.That(resumed.Metrics, Is.EqualTo(uninterrupted.Metrics));
        Assert.That(resumed.Metrics["epochs"], Is.EqualTo(3));
    }

    [Test]
    public void ACompareRunReportsEveryRow()
    {
        var plan = Plan("""
            { "name": "cmp", "experiment": "compare",
              "base": { "bits": [8], "depth": 1, "width": 4, "epochs": 1, "batchSize": 100, "data": "mixture", "trainSize": 300,
                        "includeAdam": false } }
            """);
        var report = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That(report.Completed, Is.EqualTo(1));
        var result = SweepRunFiles.ReadResult(plan.RunPath(plan.Runs[0].Id))!;
        Assert.That(result.Metrics.Keys, Is.SupersetOf(new[] { "madam.test_accuracy", "lns-08.test_accuracy", "lns-08.weight_bytes", "lns-08.energy_per_step_pj" }));
        Assert.That(result.Metrics["lns-08.weight_bytes"], Is.LessThan(result.Metrics["madam.weight_bytes"]));
        Assert.That(File.Exists(Path.Combine(plan.RunPath(plan.Runs[0].Id), "report.md")), "the comparison's own report is in the run folder");
    }

    private sealed class CancelOnEpochProgress(CancellationTokenSource cts) : IProgressDisplay
    {
        public T Run<T>(Func<ITrainingObserver, T> body) => body(new CancelOnEpoch(cts));
    }

    private sealed class CancelOnEpoch(CancellationTokenSource cts) : ITrainingObserver
    {
        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) { }
        public void Batch(int epoch, long batch, double loss) { }
        public void Epoch(EpochMetrics metrics) => cts.Cancel();
        public void Message(string text) { }
    }
}
