using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>
/// The Part I and II experiments in a sweep: a one-run sweep of each (its quickest settings, on
/// synthetic data so no data set need be installed) plans, runs into its run folder and merges to
/// a report whose headline metrics are all there with finite values; a second run of the sweep
/// skips the finished run.
/// </summary>
public class PartExperimentSweepTests : SweepTestBase
{
    private IDisposable? _oneThread;

    // One TorchSharp thread, as the commands run by default; restored afterwards.
    [OneTimeSetUp]
    public void OneThread() => _oneThread = Hybrid.Experiments.Runs.ThreadScope.Use(1);

    [OneTimeTearDown]
    public void RestoreThreads() => _oneThread?.Dispose();

    private static string Sweep(string experiment, string @base) => $$"""
        { "name": "{{experiment}}-one", "experiment": "{{experiment}}", "base": { {{@base}} }, "seeds": [3] }
        """;

    /// <summary>Plans, runs and merges a one-run sweep; checks every headline metric is finite in the merged results.</summary>
    private SweepMerge OneRun(string json, string seedField, params string[] headline)
    {
        var plan = Plan(json);
        Assert.That(plan.Runs, Has.Count.EqualTo(1));
        Assert.That(plan.Runs[0].Seed, Is.EqualTo("3"));
        var settings = SettingsContract.ToNode(plan.Runs[0].Settings);
        var seed = seedField.Split('.').Aggregate((System.Text.Json.Nodes.JsonNode)settings, (n, k) => n[k]!);
        Assert.That(seed.GetValue<long>(), Is.EqualTo(3), "the sweep's seed lands in the experiment's seed field");
        Assert.That(plan.Definition.Experiment.Cost(plan.Runs[0].Settings), Is.GreaterThan(0).And.Not.NaN);

        var log = new List<string>();
        var report = SweepRunner.Run(plan, ShardSpec.Whole, new SweepRunnerHooks { Log = log.Add });
        Assert.That(report.Completed, Is.EqualTo(1), () => "the run completed: " + string.Join("\n", log));
        var merged = SweepMerge.Collect(plan);
        Assert.That(merged.Finished, Has.Count.EqualTo(1));
        Assert.That(merged.Headline.Select(h => h.Name), Is.EqualTo(headline));
        var metrics = merged.Finished[0].Result.Metrics;
        foreach (var h in headline)
            Assert.That(metrics.TryGetValue(h, out var v) && double.IsFinite(v), $"headline metric {h} in the run's results");
        var folder = SweepReport.Write(merged);
        var header = File.ReadLines(folder.File("results.csv")).First();
        foreach (var h in headline) Assert.That(header, Does.Contain(h));
        Assert.That(folder.Has("report.md"));

        Assert.That(SweepRunner.Run(plan, ShardSpec.Whole).Completed, Is.EqualTo(0), "a finished run is skipped, not rerun");
        return merged;
    }

    private const string Mixture = "\"data\": { \"data\": \"mixture\", \"trainSize\": 200, \"testSize\": 50 }";

    [Test]
    public void ADepthSweepRunsAndMerges() => OneRun(Sweep("depth", $$"""
        "optimizers": ["sgd"], "lrSpan": 0, "depths": [1, 2], "width": 8, "epochs": 1, "batchSize": 100, "seeds": 1, {{Mixture}}
        """), "seed", "sgd.d01.train_accuracy", "sgd.d02.train_accuracy");

    [Test]
    public void ATrustSweepRunsAndMerges() => OneRun(Sweep("trust", $$"""
        "depths": [2], "width": 8, "epsilons": [0.01, 0.1], "directions": ["radial", "gradient"], "examples": 16, "seeds": 1, {{Mixture}},
        "slices": { "nets": ["mlp-2"], "width": 8, "optimizer": "fromage", "lr": 0.01, "lrDecay": 0.9, "epochs": 1, "batchSize": 50,
                    "checkpoints": [0, 1], "moves": [0.01, 0.1], "sliceExamples": 50, "seeds": 1, {{Mixture}} }
        """), "seed", "radial.L02.e0.1.ratio", "gradient.L02.e0.1.ratio", "mlp-2.peak_grad_change");

    [Test]
    public void ATransferSweepRunsAndMerges() => OneRun(Sweep("transfer", $$"""
        "optimizers": ["adam"], "lrSpan": 1, "widths": [8], "depths": [1], "baseWidth": 8, "baseDepth": 1, "epochs": 1, "seeds": 1, {{Mixture}}
        """), "seed", "adam.w0008.d01.best_loss");

    [Test]
    public void AMarginSweepRunsAndMerges() => OneRun(Sweep("margin", """
        "alphas": [0.01, 1], "averageAlphas": [], "data": "mixture", "trainSize": 40, "testSize": 100, "depth": 2, "width": 16,
        "steps": 30, "randomLabels": false, "seeds": 1
        """), "seed", "alpha=0.01.test_accuracy", "alpha=1.test_accuracy");

    [Test]
    public void ABpmSweepRunsAndMerges() => OneRun(Sweep("bpm", """
        "trainSizes": [20], "data": "mixture", "testSize": 100, "depth": 2, "width": 16, "steps": 30, "nnVoters": 3,
        "gpVoters": 101, "boundSamples": 100, "seeds": 1
        """), "seed", "n=20.nn_vote", "n=20.gp_vote", "n=20.gibbs_bound");

    [Test]
    public void AnUncertaintySweepRunsAndMerges() => OneRun(Sweep("uncertainty", """
        "bpm": { "trainSizes": [20], "data": "mixture", "testSize": 100, "depth": 2, "width": 16, "steps": 30, "nnVoters": 3,
                 "gpVoters": 101, "boundSamples": 100, "seeds": 1 }
        """), "bpm.seed",
        "n=20.nn-vote.mean_selective", "n=20.nn-vote.ece", "n=20.gp-vote.mean_selective", "n=20.gp-vote.ece",
        "n=20.gp-phi.mean_selective", "n=20.gp-phi.ece", "n=20.large-margin.mean_selective");

    [Test]
    public void AnUncertaintySweepRefusesFrom()
    {
        var e = Assert.Throws<ArgumentException>(() => Plan(Sweep("uncertainty", "\"from\": \"/tmp\"")));
        Assert.That(e!.Message, Does.Contain("from"));
    }
}
