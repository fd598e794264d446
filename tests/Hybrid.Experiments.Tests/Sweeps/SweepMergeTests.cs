using System.Text.Json.Nodes;
using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>sweep merge: every metric over seeds with SeedSummary, significance only for disjoint intervals,
/// partial results merged and the rest listed.</summary>
public class SweepMergeTests : ToySweepTestBase
{
    [Test]
    public void EachPointIsSummarisedOverItsSeeds()
    {
        var plan = ToyPlan(ToySweep());
        SweepRunner.Run(plan, ShardSpec.Whole);
        var m = SweepMerge.Collect(plan);
        Assert.That(m.Finished, Has.Count.EqualTo(9));
        Assert.That(m.Unfinished, Is.Empty);
        Assert.That(m.Groups.Select(g => g.Key), Is.EqualTo(new[] { "x=1", "x=2", "x=1.9" }));
        foreach (var (g, x) in m.Groups.Zip(new[] { 1.0, 2.0, 1.9 }))
        {
            var expected = SeedSummary.Of([x - 0.1, x, x + 0.1]);
            Assert.That(g.Metrics["value"], Is.EqualTo(expected));
            Assert.That(g.Metrics["value"].Mean, Is.EqualTo(x).Within(1e-12));
            Assert.That(g.Metrics["value"].Sd, Is.EqualTo(0.1).Within(1e-12));
            Assert.That(g.Metrics["x_squared"].Sd, Is.EqualTo(0), "every metric is summarised");
            Assert.That((g.Planned, g.Completed), Is.EqualTo((3, 3)));
        }
        // x=2 is best; x=1's interval [0.75, 1.25] is disjoint from [1.75, 2.25]; x=1.9's [1.65, 2.15] overlaps it
        Assert.That(m.Standings(m.Headline.Single()), Is.EqualTo(new[] { Standing.Worse, Standing.Best, Standing.Indistinguishable }));
    }

    [Test]
    public void TheReportHasTablesCsvJsonAndPlotsWithIntervals()
    {
        var plan = ToyPlan(ToySweep());
        SweepRunner.Run(plan, ShardSpec.Whole);
        var folder = SweepReport.Write(SweepMerge.Collect(plan));
        foreach (var f in new[] { "report.md", "results.csv", "timing.csv", "summary.csv", "summary.json", "value.png" })
            Assert.That(folder.Has(f), f);
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("| 2 | 2 ± 0.2484 | 3/3 | **best** |"));
        Assert.That(report, Does.Contain("| 1 | 1 ± 0.2484 | 3/3 | worse (intervals disjoint) |"));
        Assert.That(report, Does.Contain("| 1.9 | 1.9 ± 0.2484 | 3/3 | not distinguishable |"));
        var results = File.ReadAllLines(folder.File("results.csv"));
        Assert.That(results[0], Is.EqualTo("index,id,x,seed,status,value,x_squared"));
        Assert.That(results, Has.Length.EqualTo(10));
        Assert.That(results[1], Does.StartWith($"0,{plan.Runs[0].Id},1,0,completed,0.9,1"));
        Assert.That(File.ReadAllLines(folder.File("timing.csv"))[0], Is.EqualTo("index,id,host,shard,attempts,seconds,toy_seconds"));
        var summary = File.ReadAllLines(folder.File("summary.csv"));
        Assert.That(summary[0], Is.EqualTo("x,planned,completed,diverged,value.mean,value.sd,value.ci95,value.n,x_squared.mean,x_squared.sd,x_squared.ci95,x_squared.n"));
        var json = JsonNode.Parse(File.ReadAllText(folder.File("summary.json")))!;
        Assert.That(json["groups"]![1]!["metrics"]!["value"]!["n"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(json["groups"]![1]!["metrics"]!["value"]!["ci95"]!.GetValue<double>(), Is.EqualTo(SeedSummary.StudentT975(2) * 0.1 / Math.Sqrt(3)).Within(1e-12));
        var png = File.ReadAllBytes(folder.File("value.png"));
        Assert.That(png[..4], Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
    }

    [Test]
    public void PartialResultsAreMergedAndTheRestListed()
    {
        var plan = ToyPlan(ToySweep("[1, 2]", "2", ", \"failAt\": 2"));
        SweepRunner.Run(plan, new ShardSpec(0, 2, "test")); // runs 0 and 2: x=1 seed 0, x=2 seed 0 (fails)
        var m = SweepMerge.Collect(plan);
        Assert.That(m.Finished.Select(f => f.Run.Index), Is.EqualTo(new[] { 0 }));
        Assert.That(m.Unfinished.Select(u => (u.Run.Index, u.State)),
            Is.EqualTo(new[] { (1, RunState.Missing), (2, RunState.Failed), (3, RunState.Missing) }));
        Assert.That(m.Groups[0].Metrics["value"].Count, Is.EqualTo(1));
        Assert.That(m.Standings(m.Headline[0]), Is.EqualTo(new[] { Standing.Best, Standing.NoData }));
        var report = SweepReport.Markdown(m, []);
        Assert.That(report, Does.Contain("4 planned, 1 finished (0 diverged), 3 not finished"));
        Assert.That(report, Does.Contain("## Not finished").And.Contain("failed: InvalidDataException: toy failure at x=2"));
    }

    [Test]
    public void DivergedSeedsAreCountedNotAveraged()
    {
        var plan = ToyPlan(ToySweep("[1, 2]", "3", ", \"divergeAt\": 2"));
        SweepRunner.Run(plan, ShardSpec.Whole);
        var m = SweepMerge.Collect(plan);
        var g = m.Groups[1];
        Assert.That((g.Completed, g.Diverged), Is.EqualTo((2, 1)));
        Assert.That(g.Metrics["value"], Is.EqualTo(SeedSummary.Of([2.0, 2.1])), "seeds 1 and 2 only");
        Assert.That(SweepReport.Markdown(m, []), Does.Contain("2/3 (1 diverged)"));
    }

    [Test]
    public void OneSeedHasNoIntervalAndNothingIsCalledSignificant()
    {
        var plan = ToyPlan(ToySweep("[1, 5]", "1"));
        SweepRunner.Run(plan, ShardSpec.Whole);
        var m = SweepMerge.Collect(plan);
        Assert.That(m.Standings(m.Headline[0]), Is.EqualTo(new[] { Standing.NoInterval, Standing.Best }));
    }

    [Test]
    public void CompareStandsOnIntervalsOnly()
    {
        var a = SeedSummary.Of([1.0, 1.1, 0.9]);
        var b = SeedSummary.Of([1.2, 1.3, 1.1]);
        var c = SeedSummary.Of([3.0, 3.1, 2.9]);
        Assert.That(SweepMerge.Compare([a, b, c], higherIsBetter: true), Is.EqualTo(new[] { Standing.Worse, Standing.Worse, Standing.Best }));
        Assert.That(SweepMerge.Compare([a, b], higherIsBetter: true), Is.EqualTo(new[] { Standing.Indistinguishable, Standing.Best }));
        Assert.That(SweepMerge.Compare([a, c], higherIsBetter: false), Is.EqualTo(new[] { Standing.Best, Standing.Worse }));
        Assert.That(SweepMerge.Compare([null, a], higherIsBetter: true), Is.EqualTo(new[] { Standing.NoData, Standing.Best }));
        // a signed shift: the mean nearest 0 is the best, on either side, whichever way higherIsBetter points
        var minus = SeedSummary.Of([-0.2, -0.1, -0.3]);
        var far = SeedSummary.Of([-1.9, -2.0, -2.1]);
        Assert.That(SweepMerge.Compare([far, minus, b], higherIsBetter: false, zeroIsBest: true), Is.EqualTo(new[] { Standing.Worse, Standing.Best, Standing.Worse }));
        Assert.That(SweepMerge.Compare([far, minus], higherIsBetter: true, zeroIsBest: true), Is.EqualTo(new[] { Standing.Worse, Standing.Best }));
    }
}
