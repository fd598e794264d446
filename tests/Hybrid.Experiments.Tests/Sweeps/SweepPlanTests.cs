using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>Expansion is deterministic and a run's id is its configuration's: the same config is the same run anywhere.</summary>
public class SweepPlanTests : SweepTestBase
{
    [Test]
    public void TheSameFileGivesTheSameRunsAndIds()
    {
        var a = Plan(Tiny());
        var b = Plan(Tiny(), Path.Combine(Root, "elsewhere"));
        Assert.That(b.Runs.Select(r => (r.Id, r.Label, r.Canonical)), Is.EqualTo(a.Runs.Select(r => (r.Id, r.Label, r.Canonical))),
            "ids do not depend on the sweep folder");
        Assert.That(a.Runs.Select(r => r.Id).Distinct().Count(), Is.EqualTo(a.Runs.Count));
        Assert.That(a.Runs.All(r => r.Id.Length == SweepPlan.IdLength && r.Id.All(Uri.IsHexDigit)));
    }

    [Test]
    public void TheIdIsTheConfigurationsNotTheSweeps()
    {
        // the run "lr 0.003, seed 1" of one sweep is the same run in a sweep that writes its settings differently:
        // other axis order, the value in the base instead of an axis, defaults spelled out, another name
        var a = Plan(Tiny()).Runs.Single(r => r.Label == "optimizer.lr=0.003 seed=1");
        var other = Plan("""
            { "name": "other", "experiment": "train",
              "base": { "optimizer": { "lr": 0.003, "name": "madam" }, "trainSize": 300, "data": "mixture", "batchSize": 100,
                        "epochs": 2, "width": 4, "depth": 1, "model": "mlp", "activation": "relu", "seed": 1 },
              "axes": { "normalize": ["standard", "none"] } }
            """);
        Assert.That(other.Runs[0].Id, Is.EqualTo(a.Id));
        Assert.That(other.Runs[1].Id, Is.Not.EqualTo(a.Id), "a changed value is another run");
        Assert.That(Plan(Tiny(extra: ", \"lrSchedule\": \"cosine\"")).Runs.Select(r => r.Id), Has.No.Member(a.Id));
    }

    [Test]
    public void TheCanonicalConfigHoldsSettingsNotDerivedValues()
    {
        var run = Plan(Tiny()).Runs[0];
        Assert.That(run.Canonical, Does.Contain("\"lr\":0.01").And.Contain("\"seed\":0").And.Contain("\"trainSize\":300"));
        // effectiveBackend depends on whether libhybrid loads on this machine: it must not enter the id
        Assert.That(run.Canonical, Does.Not.Contain("effective").And.Not.Contain("key").And.Not.Contain("roundingMode"));
        Assert.That(run.Id, Is.EqualTo(SweepPlan.IdOf("train", run.Canonical)));
        Assert.That(SweepPlan.IdOf("compare", run.Canonical), Is.Not.EqualTo(run.Id), "the experiment is part of the id");
    }

    [TestCase(1), TestCase(3), TestCase(4), TestCase(7)]
    public void ShardsPartitionTheRuns(int n)
    {
        var plan = Plan(Tiny("\"width\": [2, 4, 8]", seeds: "2"));
        var shares = Enumerable.Range(0, n).Select(i => plan.ShareOf(new ShardSpec(i, n, "test")).Select(r => r.Index).ToList()).ToList();
        Assert.That(shares.SelectMany(s => s).Order(), Is.EqualTo(Enumerable.Range(0, plan.Runs.Count)), "every run exactly once");
        Assert.That(shares.Max(s => s.Count) - shares.Min(s => s.Count), Is.LessThanOrEqualTo(1), "balanced");
    }

    [Test]
    public void PlanJsonListsEveryRunWithItsConfig()
    {
        var plan = Plan(Tiny());
        var json = plan.ToJson();
        Assert.That(json["runs"]!.AsArray(), Has.Count.EqualTo(plan.Runs.Count));
        Assert.That(json["runs"]![1]!["id"]!.GetValue<string>(), Is.EqualTo(plan.Runs[1].Id));
        Assert.That(json["runs"]![1]!["config"]!["seed"]!.GetValue<long>(), Is.EqualTo(1));
    }
}
