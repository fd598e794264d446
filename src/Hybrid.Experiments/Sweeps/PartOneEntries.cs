using System.Globalization;
using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Uncertainty;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// <c>margin</c> in a sweep: one <see cref="MarginSettings"/> per run (its units resume one by one).
/// A sweep's seed goes into <see cref="MarginSettings.Seed"/>, the first seed; leave <c>seeds</c>
/// at 1 in <c>base</c> so each run is one seed. Metrics per α (mean over the run's seeds):
/// <c>alpha=0.1.test_accuracy</c>, <c>…average_test_accuracy</c> (k-net average, where one is
/// trained), <c>…random_test_accuracy</c> (random-label twin), <c>…margin_median</c>,
/// <c>…train_accuracy</c>; and <c>kernel.test_accuracy</c>, the NNGP plateau.
/// </summary>
public static class MarginEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<MarginSettings> Experiment = new()
    {
        Name = "margin",
        Description = "normalised-margin control: test accuracy against the target scale α (hybrid margin)",
        DefaultSettings = MarginSettings.Default with { Seeds = 1 },
        Check = s => s.Validate(),
        Estimate = s => s.Seeds * s.Alphas.Sum(a => (s.AverageAt(a) + (s.RandomLabels ? 1 : 0)) *
                                                    PartOneCost.Network(s.Data, s.TrainSize, s.Depth, s.Width, s.Steps)),
        Headlines = s => s.Alphas.Select(a => new HeadlineMetric($"{Key(a)}.test_accuracy", true)).ToList(),
        Execute = Run,
    };

    /// <summary>"alpha=0.1": the metric prefix of one α.</summary>
    public static string Key(double alpha) => "alpha=" + alpha.ToString("R", CultureInfo.InvariantCulture);

    private static ExperimentOutcome Run(MarginSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (units, kernels) = MarginExperiment.Run(s, folder, resume: folder.Has("config.json"), observer, cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in units.GroupBy(u => u.Alpha))
        {
            string k = Key(g.Key);
            metrics[$"{k}.test_accuracy"] = g.Average(u => u.TestAccuracy);
            metrics[$"{k}.train_accuracy"] = g.Average(u => u.TrainAccuracy);
            metrics[$"{k}.margin_median"] = g.Average(u => u.MarginMedian);
            if (g.First().AverageK > 1) metrics[$"{k}.average_test_accuracy"] = g.Average(u => u.AverageTestAccuracy);
            if (s.RandomLabels) metrics[$"{k}.random_test_accuracy"] = g.Average(u => u.RandomTestAccuracy);
        }
        if (kernels.Count > 0) metrics["kernel.test_accuracy"] = kernels.Average(k => k.TestAccuracy);
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["unit_seconds"] = units.Sum(u => u.Seconds) };
        return PartOneCost.Finished(cancel, metrics, timing, $"{units.Count} units, {kernels.Count} kernels");
    }
}

/// <summary>
/// <c>bpm</c> in a sweep: one <see cref="BpmSettings"/> per run; the seed goes into
/// <see cref="BpmSettings.Seed"/> (leave <c>seeds</c> at 1). Metrics per training size, mean over
/// the run's seeds, every quantity of the command's table (<see cref="BpmExperiment.Quantities"/>):
/// <c>n=50.nn_vote</c>, <c>n=50.gibbs_bound</c>, …
/// </summary>
public static class BpmEntry
{
    /// <summary>The quantities tabled and plotted: the errors of the NN vote and the GP vote, and the Gibbs bound (all lower is better).</summary>
    public static readonly IReadOnlyList<string> HeadlineKeys = ["nn_vote", "gp_vote", "gibbs_bound"];

    /// <summary>The registry entry.</summary>
    public static readonly Experiment<BpmSettings> Experiment = new()
    {
        Name = "bpm",
        Description = "the NN–BPM correspondence and the PAC-Bayes bounds against n (hybrid bpm)",
        DefaultSettings = BpmSettings.Default with { Seeds = 1 },
        Check = s => s.Validate(),
        Estimate = s => s.Seeds * s.TrainSizes.Sum(n => (s.NnVoters + 1) * PartOneCost.Network(s.Data, n, s.Depth, s.Width, s.Steps)),
        Headlines = s => (from n in s.TrainSizes from q in HeadlineKeys
                          select new HeadlineMetric($"{Key(n)}.{q}", false)).ToList(),
        Execute = Run,
    };

    /// <summary>"n=50": the metric prefix of one training size.</summary>
    public static string Key(int n) => string.Create(CultureInfo.InvariantCulture, $"n={n}");

    private static ExperimentOutcome Run(BpmSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (units, summary) = BpmExperiment.Run(s, folder, resume: folder.Has("config.json"), observer, cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in summary)
            if (double.IsFinite(row.Seeds.Mean)) metrics[$"{Key(row.N)}.{row.Key}"] = row.Seeds.Mean;
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["unit_seconds"] = units.Sum(u => u.KernelSeconds + u.GpSeconds + u.NnSeconds),
        };
        return PartOneCost.Finished(cancel, metrics, timing, $"{units.Count} units");
    }
}

/// <summary>
/// <c>uncertainty</c> in a sweep: one <see cref="UncertaintySettings"/> per run, its bpm units run in
/// the run folder (leave <c>from</c> unset: a sweep run must not depend on another folder). The
/// seed goes into <c>bpm.seed</c>. Metrics per training size and confidence source:
/// <c>n=50.gp_mean.ece</c>, <c>…accuracy</c>, <c>…mean_selective</c>.
/// </summary>
public static class UncertaintyEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<UncertaintySettings> Experiment = new()
    {
        Name = "uncertainty",
        Description = "calibration and selective accuracy of the GP and NN confidences (hybrid uncertainty)",
        DefaultSettings = UncertaintySettings.Default with { Bpm = UncertaintySettings.Default.Bpm with { Seeds = 1 } },
        Check = Validate,
        Estimate = s => BpmEntry.Experiment.Estimate(s.Bpm),
        Headlines = s => (from n in s.Bpm.TrainSizes from src in UncertaintyExperiment.Sources
                          from h in Headline($"{BpmEntry.Key(n)}.{src.Key}", src.Probability) select h).ToList(),
        Execute = Run,
        SeedField = "bpm.seed",
    };

    // Every source ranks (mean selective accuracy, higher is better); only probabilities are calibrated (ECE, lower is better).
    private static IEnumerable<HeadlineMetric> Headline(string key, bool probability)
    {
        yield return new HeadlineMetric($"{key}.mean_selective", true);
        if (probability) yield return new HeadlineMetric($"{key}.ece", false);
    }

    private static void Validate(UncertaintySettings s)
    {
        if (s.From is not null)
            throw new ArgumentException("'from' cannot be used in a sweep: each run computes its own bpm units in its run folder.", "from");
        s.Validate();
    }

    private static ExperimentOutcome Run(UncertaintySettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (sources, _) = UncertaintyExperiment.Run(s, folder, resume: folder.Has("config.json"), observer, cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in sources.GroupBy(m => (m.N, m.Source)))
        {
            string k = $"{BpmEntry.Key(g.Key.N)}.{g.Key.Source}";
            foreach (var (name, value) in new[] { ("accuracy", g.Average(m => m.Accuracy)), ("ece", g.Average(m => m.Ece)),
                         ("mean_selective", g.Average(m => m.MeanSelective)) })
                if (double.IsFinite(value)) metrics[$"{k}.{name}"] = value; // a score that is no probability has no ECE
        }
        return PartOneCost.Finished(cancel, metrics, new SortedDictionary<string, double>(), $"{sources.Count} source rows");
    }
}

/// <summary>Cost and outcome shared by the Part I entries.</summary>
internal static class PartOneCost
{
    /// <summary>Multiply-adds of one full-batch MLP trained for <paramref name="steps"/> steps on <paramref name="n"/> examples (forward and backward ≈ 3× forward).</summary>
    public static double Network(string data, int n, int depth, int width, int steps)
    {
        var (shape, _, _, _) = CostModel.DataShape(data, n);
        double inputs = shape.Aggregate(1L, (a, b) => a * b);
        double parameters = inputs * width + (depth - 1.0) * width * width + width;
        return 3.0 * steps * n * parameters;
    }

    /// <summary>The Part I commands finish every unit or throw; a cancel stops between units, so a cancelled token means a partial run.</summary>
    public static ExperimentOutcome Finished(CancellationToken cancel, IReadOnlyDictionary<string, double> metrics,
        IReadOnlyDictionary<string, double> timing, string message) =>
        cancel.IsCancellationRequested
            ? new ExperimentOutcome(ExperimentOutcome.Cancelled, "stopped on request; " + message, metrics, timing)
            : new ExperimentOutcome(ExperimentOutcome.Completed, message, metrics, timing);
}
