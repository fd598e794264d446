using System.Globalization;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Margin;

/// <summary>What <c>hybrid margin</c> produced: every α-unit and every seed's kernel interpolator.</summary>
public sealed record MarginResult(IReadOnlyList<MarginUnitResult> Units, IReadOnlyList<MarginKernelResult> Kernels);

/// <summary>
/// <c>hybrid margin</c>: normalised-margin control (SCIENCE.md Part I; alexfarhang/margin): networks fitted to
/// α·targets by Nero with fixed layer norms over a grid of α (<see cref="MarginUnit"/>), with k-net averages, a
/// random-label twin and, per seed, the NNGP kernel interpolator as the reference plateau; resumable unit by
/// unit. In a sweep the seed goes into <see cref="MarginSettings.Seed"/> (leave <c>seeds</c> at 1); metrics per α
/// (mean over the run's seeds): <c>alpha=0.1.test_accuracy</c>, <c>…average_test_accuracy</c> (where averaged),
/// <c>…random_test_accuracy</c>, <c>…margin_median</c>, <c>…train_accuracy</c>; <c>kernel.test_accuracy</c>.
/// </summary>
public sealed class MarginExperiment : Experiment<MarginSettings, MarginResult>
{
    /// <inheritdoc />
    public override string Name => "margin";
    /// <inheritdoc />
    public override string Description => "Normalised-margin control: train to α·targets with fixed layer norms over a grid of α; test accuracy, margin, " +
                                          "k-net averages, random-label twins and the kernel interpolator.";
    /// <inheritdoc />
    public override string ShortDescription => "normalised-margin control: test accuracy against the target scale α (hybrid margin)";
    /// <inheritdoc />
    public override MarginSettings Defaults => MarginSettings.Default;
    /// <inheritdoc />
    public override MarginSettings Quick => MarginSettings.Quick;
    /// <inheritdoc />
    public override MarginSettings SweepDefaults => MarginSettings.Default with { Seeds = 1 };
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<MarginSettings>> DefineOptions(OptionBuilder<MarginSettings> o) =>
    [
        .. FitOptions.Of(o),
        o.Numbers("--alphas", "Target scales α, comma-separated.", (s, v) => s with { Alphas = v }, s => s.Alphas),
        o.Int("--train-size", "Training examples n.", (s, v) => s with { TrainSize = v }, s => s.TrainSize),
        o.Int("--average-k", "Networks averaged at each α of --average-alphas.", (s, v) => s with { AverageK = v }, s => s.AverageK),
        o.Numbers("--average-alphas", "The α values with a k-net average (none for no averages).", (s, v) => s with { AverageAlphas = v }, s => s.AverageAlphas),
        o.Flag("--no-random-labels", "Leave out the random-label twins.", (s, v) => v ? s with { RandomLabels = false } : s),
    ];

    /// <inheritdoc />
    public override void Validate(MarginSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(MarginSettings s) =>
        s.Seeds * s.Alphas.Sum(a => (s.AverageAt(a) + (s.RandomLabels ? 1 : 0)) * FitCost.Network(s.Data, s.TrainSize, s.Depth, s.Width, s.Steps));

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(MarginSettings s) => s.Alphas.Select(a => new HeadlineMetric($"{Key(a)}.test_accuracy", true)).ToList();

    /// <inheritdoc />
    /// <remarks>Every metric but <c>kernel.test_accuracy</c> begins with its α (a sweep over single-α cells folds it away).</remarks>
    public override IReadOnlyList<string> MetricKeys(MarginSettings s) => s.Alphas.Select(Key).ToList();

    /// <summary>"alpha=0.1": the metric prefix of one α.</summary>
    public static string Key(double alpha) => "alpha=" + alpha.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override MarginResult Run(MarginSettings s, ExperimentContext context)
    {
        var resolved = MarginProblem.LoadWhole(s.Data, s.Fit.TaskOrNull, s.Seed);
        using var whole = resolved.Data;
        PartOneChecks.Loaded(whole, s.TrainSize, binary: false, "train-size");
        context.Begin();
        var folder = context.Folder;
        var (units, kernels) = context.WithProgress(observer =>
        {
            var u = new List<MarginUnitResult>();
            var k = new List<MarginKernelResult>();
            foreach (long seed in s.Fit.SeedList)
            {
                k.Add(MarginUnit.Kernel(s, whole, seed, folder));
                foreach (double alpha in s.Alphas.OrderBy(a => a))
                {
                    var c = new MarginUnitConfig(s.Data, s.Fit.TaskOrNull, s.Seed, s.TrainSize, s.TestSize, s.Depth, s.Width, s.Fit.Schedule,
                        alpha, s.AverageAt(alpha), s.RandomLabels, seed);
                    u.Add(MarginUnit.Run(c, whole, new RunFolder(Path.Combine(folder.Path, c.FolderName)), observer, context.Cancel));
                }
            }
            return (u, k);
        });
        MarginReport.Write(folder, s, units, kernels, whole.Source);
        return new MarginResult(units, kernels);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(MarginSettings s, MarginResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in r.Units.GroupBy(u => u.Alpha))
        {
            string k = Key(g.Key);
            metrics[$"{k}.test_accuracy"] = g.Average(u => u.TestAccuracy);
            metrics[$"{k}.train_accuracy"] = g.Average(u => u.TrainAccuracy);
            metrics[$"{k}.margin_median"] = g.Average(u => u.MarginMedian);
            if (g.First().AverageK > 1) metrics[$"{k}.average_test_accuracy"] = g.Average(u => u.AverageTestAccuracy);
            if (s.RandomLabels) metrics[$"{k}.random_test_accuracy"] = g.Average(u => u.RandomTestAccuracy);
        }
        if (r.Kernels.Count > 0) metrics["kernel.test_accuracy"] = r.Kernels.Average(k => k.TestAccuracy);
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["unit_seconds"] = r.Units.Sum(u => u.Seconds) };

        var inv = CultureInfo.InvariantCulture;
        var rows = MarginUnit.Summarise(r.Units).Select(x => (IReadOnlyList<string>)[x.Alpha.ToString("G3", inv), x.Single.Format("F2", 100),
            x.Average.Count > 0 ? x.Average.Format("F2", 100) : "—", x.Random.Count > 0 ? x.Random.Format("F2", 100) : "—",
            x.Margin.Mean.ToString("G3", inv), $"{100 * x.Interpolating:F0}%"]);
        var kernel = SeedSummary.Of(r.Kernels.Select(k => k.TestAccuracy));
        var summary = ConsoleSummary.Empty
            .Table(["α", "single net", "k-net average", "random labels", "median margin", "interpolating"], rows, [true, true, true, true, true, true])
            .Note($"% test accuracy, mean ± 95 % interval over seeds; kernel interpolator {kernel.Format("F2", 100)}%.");
        return new ExperimentOutcome(RunStatus.Completed, $"{r.Units.Count} units, {r.Kernels.Count} kernels", metrics, timing) { Summary = summary };
    }
}
