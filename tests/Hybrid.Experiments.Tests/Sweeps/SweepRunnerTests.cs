using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>The runner: skip finished runs, resume interrupted ones, record failures, and never let two
/// processes work on one run (one wins, the other skips).</summary>
public class SweepRunnerTests : ToySweepTestBase
{
    private static readonly SweepRunnerHooks Impatient = new() { ClaimPatience = TimeSpan.Zero };

    [Test]
    public void RunsEveryRunOnceThenSkipsThem()
    {
        var plan = ToyPlan(ToySweep());
        var first = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That((first.Share, first.Ran, first.Completed, first.Diverged, first.Failed), Is.EqualTo((9, 9, 9, 0, 0)));
        Assert.That(first.Succeeded);
        foreach (var run in plan.Runs)
        {
            var result = SweepRunFiles.ReadResult(plan.RunPath(run.Id))!;
            Assert.That((result.Id, result.Status, result.Attempts), Is.EqualTo((run.Id, SweepRunStatus.Completed, 1)));
            Assert.That(result.Metrics["value"], Is.EqualTo(((Toy)run.Settings).Value));
            var record = SweepRunFiles.ReadRecord(plan.RunPath(run.Id))!;
            Assert.That(record.Config.ToJsonString(), Is.EqualTo(run.Canonical));
        }
        Assert.That(File.Exists(Path.Combine(Out, "plan.json")) && File.Exists(Path.Combine(Out, "sweep.json")));

        var stamp = File.GetLastWriteTimeUtc(Path.Combine(plan.RunPath(plan.Runs[0].Id), SweepRunFiles.ResultFile));
        var again = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That((again.Ran, again.AlreadyFinished), Is.EqualTo((0, 9)));
        Assert.That(ToyExperiment.Starts.Values, Has.All.EqualTo(1), "nothing ran twice");
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(plan.RunPath(plan.Runs[0].Id), SweepRunFiles.ResultFile)), Is.EqualTo(stamp));
    }

    [Test]
    public void ShardsTogetherRunEachRunOnce()
    {
        var plan = ToyPlan(ToySweep());
        var reports = Enumerable.Range(0, 4).Select(i => SweepRunner.Run(plan, new ShardSpec(i, 4, "test"))).ToList();
        Assert.That(reports.Select(r => r.Share), Is.EqualTo(new[] { 3, 2, 2, 2 }));
        Assert.That(reports.Sum(r => r.Ran), Is.EqualTo(9));
        Assert.That(ToyExperiment.Starts, Has.Count.EqualTo(9));
        Assert.That(ToyExperiment.Starts.Values, Has.All.EqualTo(1));
        Assert.That(plan.Runs.Select(r => SweepRunFiles.ReadResult(plan.RunPath(r.Id))!.Shard),
            Is.EqualTo(plan.Runs.Select(r => $"{r.Index % 4}/4")), "run k went to shard k mod 4");
    }

    [Test]
    public void AnInterruptedRunResumesWhereItStopped()
    {
        var plan = ToyPlan(ToySweep("[1]", "1", ", \"epochs\": 3"));
        using var cts = new CancellationTokenSource();
        ToyExperiment.AfterEpoch = epoch => { if (epoch == 2) cts.Cancel(); };
        var stopped = SweepRunner.Run(plan, ShardSpec.Whole, null, cts.Token);
        Assert.That(stopped.Cancelled && !stopped.Succeeded);
        var path = plan.RunPath(plan.Runs[0].Id);
        Assert.That(SweepRunFiles.State(path).State, Is.EqualTo(RunState.Interrupted));
        Assert.That(SweepRunFiles.ReadResult(path)!.Status, Is.EqualTo(SweepRunStatus.Started), "no result, only the start");

        ToyExperiment.AfterEpoch = null;
        var resumed = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That((resumed.Ran, resumed.Completed), Is.EqualTo((1, 1)));
        Assert.That(File.ReadAllLines(Path.Combine(path, "progress.txt")), Is.EqualTo(new[] { "1", "2", "3" }), "epoch 3 only, after 1 and 2");
        var record = SweepRunFiles.ReadRecord(path)!;
        Assert.That(record.Attempts.Select(a => a.Resumed), Is.EqualTo(new[] { false, true }));
        Assert.That(SweepRunFiles.ReadResult(path)!.Attempts, Is.EqualTo(2));
    }

    [Test]
    public void AFailedRunIsRecordedAndRunAgainNextTime()
    {
        var plan = ToyPlan(ToySweep("[1, 2]", "1", ", \"failAt\": 2"));
        var report = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That((report.Completed, report.Failed, report.Succeeded), Is.EqualTo((1, 1, false)));
        var failedPath = plan.RunPath(plan.Runs[1].Id);
        var (state, result, _) = SweepRunFiles.State(failedPath);
        Assert.That(state, Is.EqualTo(RunState.Failed));
        Assert.That(result!.Message, Does.Contain("toy failure at x=2"));

        var again = SweepRunner.Run(plan, ShardSpec.Whole);
        Assert.That((again.Ran, again.Failed, again.AlreadyFinished), Is.EqualTo((1, 1, 1)), "the failed run is retried, the done one is not");
        Assert.That(SweepRunFiles.ReadRecord(failedPath)!.Attempts, Has.Count.EqualTo(2));
    }

    [Test]
    public void ARunHeldByAnotherProcessIsLeftToIt()
    {
        var plan = ToyPlan(ToySweep("[1, 2]", "1"));
        var heldPath = plan.RunPath(plan.Runs[0].Id);
        using (RunFolder.At(heldPath).Acquire()) // the other shard (a second flock holder, even in this process)
        {
            var report = SweepRunner.Run(plan, ShardSpec.Whole, Impatient);
            Assert.That((report.Ran, report.HeldElsewhere), Is.EqualTo((1, 1)));
            Assert.That(SweepRunFiles.State(heldPath).State, Is.EqualTo(RunState.Running));
            Assert.That(File.Exists(Path.Combine(heldPath, SweepRunFiles.RecordFile)), Is.False, "the loser wrote nothing into the run");
        }
        var later = SweepRunner.Run(plan, ShardSpec.Whole, Impatient);
        Assert.That((later.Ran, later.AlreadyFinished), Is.EqualTo((1, 1)));
    }

    [Test]
    public void TwoShardsGivenTheSameRunsNeverBothRunOne()
    {
        // a misconfigured array: two processes both think they are shard 0/1, started together; each run's
        // epochs take a while, so they meet on every run
        var plan = ToyPlan(ToySweep("[1, 2, 3]", "2", ", \"sleepMs\": 30"));
        using var start = new Barrier(2);
        var reports = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return SweepRunner.Run(plan, ShardSpec.Whole, Impatient);
        })).ToArray();
        Task.WaitAll(reports);
        var a = reports[0].Result;
        var b = reports[1].Result;
        Assert.That(a.Ran + b.Ran, Is.EqualTo(6), "every run ran once in all");
        Assert.That(a.HeldElsewhere + a.AlreadyFinished + b.HeldElsewhere + b.AlreadyFinished, Is.EqualTo(6), "and was skipped by the other");
        Assert.That(ToyExperiment.Starts.Values, Has.All.EqualTo(1));
        foreach (var run in plan.Runs)
        {
            var path = plan.RunPath(run.Id);
            Assert.That(SweepRunFiles.ReadRecord(path)!.Attempts, Has.Count.EqualTo(1));
            Assert.That(File.ReadAllLines(Path.Combine(path, "progress.txt")), Is.EqualTo(new[] { "1", "2" }), "no epoch written twice");
            Assert.That(SweepRunFiles.ReadResult(path)!.Metrics["value"], Is.EqualTo(((Toy)run.Settings).Value));
        }
    }

    [Test]
    public void AHelperRunsWhatOtherShardsLeftButNotWhatTheyHold()
    {
        var plan = ToyPlan(ToySweep("[1, 2, 3]", "2")); // 6 runs; shard 0/3 owns runs 0 and 3
        var owned = plan.RunPath(plan.Runs[4].Id);      // shard 1/3's second run, held by its owner
        using (RunFolder.At(owned).Acquire())
        {
            var helper = SweepRunner.Run(plan, new ShardSpec(0, 3, "test"), new SweepRunnerHooks { Steal = true });
            Assert.That((helper.Ran, helper.Stolen, helper.HeldElsewhere), Is.EqualTo((5, 3, 0)));
            Assert.That(SweepRunFiles.State(owned).State, Is.EqualTo(RunState.Running));
        }
        var late = SweepRunner.Run(plan, new ShardSpec(1, 3, "test"), Impatient); // the owner of runs 1 and 4
        Assert.That((late.Ran, late.AlreadyFinished), Is.EqualTo((1, 1)), "it finds run 1 done by the helper and runs 4");
        Assert.That(ToyExperiment.Starts.Values, Has.All.EqualTo(1));
        Assert.That(SweepRunner.Run(plan, new ShardSpec(2, 3, "test")).Ran, Is.EqualTo(0));
    }

    [Test]
    public void AFolderHoldingAnotherConfigurationIsNotTouched()
    {
        var plan = ToyPlan(ToySweep("[1]", "1"));
        var path = plan.RunPath(plan.Runs[0].Id);
        Directory.CreateDirectory(path);
        var forged = new RunRecord(plan.Runs[0].Id, "toy", new System.Text.Json.Nodes.JsonObject { ["x"] = 5 }, []);
        new RunFolder(path).WriteJson(SweepRunFiles.RecordFile, forged);
        var e = Assert.Throws<InvalidOperationException>(() => SweepRunner.Run(plan, ShardSpec.Whole))!;
        Assert.That(e.Message, Does.Contain("another configuration"));
        Assert.That(File.Exists(Path.Combine(path, "progress.txt")), Is.False);
    }
}
