using System.Text.Json.Nodes;
using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>
/// sweep merge over an axis of metric keys (transfer's and depth's optimisers, compare's rows): when every run has one key,
/// the key is folded out of the metric names so each key's value is on its own row of one table; a run of several keys,
/// or two metrics of one run that would fold to one name, leave the names as the runs gave them.
/// </summary>
public class SweepMergeKeysTests : SweepTestBase
{
    private static string KeyedSweep(string optimizers, string extra = "") => $$"""
        { "name": "keyed", "experiment": "keyed-toy", "base": { "spread": 0.1 {{extra}} }, "axes": { "optimizers": {{optimizers}} }, "seeds": 3 }
        """;

    private SweepMerge Merged(string json)
    {
        var plan = SweepPlan.Expand(SweepDefinition.Parse(json, WriteSweep(json), Out, KeyedToyPlugin.Registry));
        SweepRunner.Run(plan, ShardSpec.Whole);
        return SweepMerge.Collect(plan);
    }

    [Test]
    public void AnAxisOfOneOptimiserPerCellFoldsTheKeyAwayAndFillsEveryRow()
    {
        var m = Merged(KeyedSweep("""[["sgd"], ["adam"], ["madam"]]"""));
        Assert.That(m.Headline.Select(h => (h.Name, h.Direction)), Is.EqualTo(new[] { ("loss", "lower is better"), ("width.shift", "closer to 0 is better") }));
        Assert.That(m.MetricNames, Is.EqualTo(new[] { "diverged_points", "loss", "width.shift" }));
        foreach (var (g, opt) in m.Groups.Zip(new[] { "sgd", "adam", "madam" }))
            Assert.That(g.Metrics["loss"], Is.EqualTo(SeedSummary.Of([KeyedToy.BaseLoss(opt) - 0.1, KeyedToy.BaseLoss(opt), KeyedToy.BaseLoss(opt) + 0.1])), opt);
        // sgd is best; adam's [1.75, 2.25] is disjoint from sgd's [0.75, 1.25]; madam's [0.85, 1.35] overlaps it
        Assert.That(m.Standings(m.Headline[0]), Is.EqualTo(new[] { Standing.Best, Standing.Worse, Standing.Indistinguishable }));
        Assert.That(m.Standings(m.Headline[1]), Is.EqualTo(new[] { Standing.Best, Standing.Worse, Standing.Worse }));
        Assert.That(m.Finished[0].Result.Metrics.Keys, Does.Contain("sgd.loss"), "the run's own result keeps its full names");

        var folder = SweepReport.Write(m);
        var report = File.ReadAllText(folder.File("report.md"));
        Assert.That(report, Does.Contain("## loss (lower is better)").And.Contain("## width.shift (closer to 0 is better)"));
        Assert.That(report, Does.Contain("| optimizers | loss | n | against the best |"));
        Assert.That(report, Does.Contain("| sgd | 1 ± 0.2484 | 3/3 | **best** |"));
        Assert.That(report, Does.Contain("| adam | 2 ± 0.2484 | 3/3 | worse (intervals disjoint) |"));
        Assert.That(report, Does.Contain("| madam | 1.1 ± 0.2484 | 3/3 | not distinguishable |"));
        Assert.That(report, Does.Not.Contain("no data").And.Not.Contain("sgd.loss"));
        Assert.That(report, Does.Contain("folded"));
        Assert.That(folder.Has("loss.png") && folder.Has("width-shift.png"), "one plot per folded headline metric");

        Assert.That(File.ReadLines(folder.File("summary.csv")).First(), Is.EqualTo("optimizers,planned,completed,diverged," +
            "diverged_points.mean,diverged_points.sd,diverged_points.ci95,diverged_points.n,loss.mean,loss.sd,loss.ci95,loss.n," +
            "width.shift.mean,width.shift.sd,width.shift.ci95,width.shift.n"));
        Assert.That(File.ReadLines(folder.File("summary.csv")).ElementAt(1), Does.StartWith("\"[\"\"sgd\"\"]\",3,3,0,0,0,0,3,1,"),
            "summary.csv keeps the axis's exact value");
        Assert.That(File.ReadLines(folder.File("results.csv")).First(), Is.EqualTo("index,id,optimizers,seed,status,diverged_points,loss,width.shift"));
        var json = JsonNode.Parse(File.ReadAllText(folder.File("summary.json")))!;
        Assert.That(json["headline"]!.AsArray().Select(h => h!.GetValue<string>()), Is.EqualTo(new[] { "loss", "width.shift" }));
        Assert.That(json["metricKeys"]!["folded"]!.GetValue<bool>(), Is.True);
        var adam = json["groups"]![1]!;
        Assert.That(adam["point"]!["optimizers"]!.GetValue<string>(), Is.EqualTo("[\"adam\"]"), "the exact JSON value, as plan.json has it");
        Assert.That(adam["label"]!["optimizers"]!.GetValue<string>(), Is.EqualTo("adam"));
        Assert.That(adam["metricKey"]!.GetValue<string>(), Is.EqualTo("adam"));
        Assert.That(adam["metrics"]!["loss"]!["mean"]!.GetValue<double>(), Is.EqualTo(2).Within(1e-12));
    }

    [Test]
    public void ACellOfTwoOptimisersKeepsTheKeyedNames()
    {
        var m = Merged(KeyedSweep("""[["sgd"], ["sgd", "adam"]]"""));
        Assert.That(m.Headline.Select(h => h.Name), Is.EqualTo(new[] { "sgd.loss", "sgd.width.shift", "adam.loss", "adam.width.shift" }));
        Assert.That(m.Groups[0].Metrics.Keys, Is.EquivalentTo(new[] { "diverged_points", "sgd.loss", "sgd.width.shift" }));
        Assert.That(m.Groups[1].Metrics["sgd.loss"].Mean, Is.EqualTo(1).Within(1e-12));
        Assert.That(m.Groups[1].Metrics["adam.loss"].Mean, Is.EqualTo(2).Within(1e-12));
        var report = SweepReport.Markdown(m, []);
        Assert.That(report, Does.Contain("## sgd.loss (lower is better)").And.Contain("| sgd, adam | 1 ± 0.2484 | 3/3 | not distinguishable |"));
        Assert.That(report, Does.Contain("not folded"));
    }

    [Test]
    public void TwoMetricsOfOneRunThatWouldFoldToOneNameAreNotFolded()
    {
        // each run reports sgd.loss (or adam.loss) and an unkeyed loss: folding would merge two different numbers
        var m = Merged(KeyedSweep("""[["sgd"], ["adam"]]""", ", \"plain\": [\"loss\"]"));
        Assert.That(m.Headline.Select(h => h.Name), Is.EqualTo(new[] { "sgd.loss", "sgd.width.shift", "adam.loss", "adam.width.shift" }));
        Assert.That(m.Groups[0].Metrics["loss"].Mean, Is.EqualTo(-1));
        Assert.That(m.Groups[0].Metrics["sgd.loss"].Mean, Is.EqualTo(1).Within(1e-12));
        Assert.That(m.Groups[1].Metrics["adam.loss"].Mean, Is.EqualTo(2).Within(1e-12));
        var report = SweepReport.Markdown(m, []);
        Assert.That(report, Does.Contain("not folded").And.Contain("`sgd.loss`").And.Contain("`loss`"));
        var json = JsonNode.Parse(File.ReadAllText(SweepReport.Write(m).File("summary.json")))!;
        Assert.That(json["metricKeys"]!["folded"]!.GetValue<bool>(), Is.False);
        Assert.That(json["groups"]![0]!["metricKey"], Is.Null);
    }

    [Test]
    public void OneKeyInEveryRunIsNotFolded()
    {
        // the names already match across runs: nothing to fold, and the key stays in the tables' titles
        var m = Merged(KeyedSweep("""[["sgd"]]"""));
        Assert.That(m.Headline.Select(h => h.Name), Is.EqualTo(new[] { "sgd.loss", "sgd.width.shift" }));
    }

    [Test]
    public void TheExperimentsNameTheirMetricKeys()
    {
        var transfer = Plan("""
            { "name": "t", "experiment": "transfer", "base": { "widths": [8], "depths": [1], "baseWidth": 8, "baseDepth": 1 },
              "axes": { "optimizers": [["sgd"], ["adam", "madam"]] } }
            """);
        Assert.That(transfer.Runs.Select(r => transfer.Definition.Experiment.MetricKeys(r.Settings)),
            Is.EqualTo(new[] { new[] { "sgd" }, new[] { "adam", "madam" } }));
        var depth = Plan("""{ "name": "d", "experiment": "depth", "axes": { "optimizers": [["fromage"]] } }""");
        Assert.That(depth.Definition.Experiment.MetricKeys(depth.Runs[0].Settings), Is.EqualTo(new[] { "fromage" }));
        // compare's metrics are keyed by row: one LNS width per run and no float32 rows gives one key per run
        var compare = Plan("""
            { "name": "c", "experiment": "compare", "base": { "includeAdam": false, "includeMadam": false, "updateBits": [] },
              "axes": { "bits": [[8], [6]] } }
            """);
        Assert.That(compare.Runs.Select(r => compare.Definition.Experiment.MetricKeys(r.Settings)),
            Is.EqualTo(new[] { new[] { "lns-08" }, new[] { "lns-06" } }));
        // margin's metrics are keyed by α, bpm's by training size
        var margin = Plan("""{ "name": "m", "experiment": "margin", "base": { "averageAlphas": [] }, "axes": { "alphas": [[0.1], [10]] } }""");
        Assert.That(margin.Runs.Select(r => margin.Definition.Experiment.MetricKeys(r.Settings)),
            Is.EqualTo(new[] { new[] { "alpha=0.1" }, new[] { "alpha=10" } }));
        var bpm = Plan("""{ "name": "b", "experiment": "bpm", "axes": { "trainSizes": [[50], [100]] } }""");
        Assert.That(bpm.Runs.Select(r => bpm.Definition.Experiment.MetricKeys(r.Settings)),
            Is.EqualTo(new[] { new[] { "n=50" }, new[] { "n=100" } }));
        var train = Plan(Tiny());
        Assert.That(train.Definition.Experiment.MetricKeys(train.Runs[0].Settings), Is.Empty, "train's metrics have no key");
    }
}
