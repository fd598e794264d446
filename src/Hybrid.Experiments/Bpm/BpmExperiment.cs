using System.Globalization;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Bpm;

/// <summary>One quantity of the bpm table at one n: its mean ± 95 % interval over seeds and the mean test-set standard error.</summary>
/// <param name="N">Training size.</param>
/// <param name="Key">Machine name ("kernel", "gp_vote", …).</param>
/// <param name="Label">What it is, in words.</param>
/// <param name="Seeds">The summary over seeds (fractions).</param>
/// <param name="TestSe">Mean over seeds of the standard error over test points (NaN for the bounds, which have none).</param>
public sealed record BpmSummaryRow(int N, string Key, string Label, SeedSummary Seeds, double TestSe);

/// <summary>What <c>hybrid bpm</c> produced: every unit's result and the summary.</summary>
/// <param name="Units">Every unit's result.</param>
/// <param name="Summary">The per-n summary.</param>
/// <param name="Curves">Per unit (in the order of <paramref name="Units"/>): its vote curve, or null where the unit has none
/// (computed before vote curves existed); null when none were read.</param>
public sealed record BpmResult(IReadOnlyList<BpmUnitResult> Units, IReadOnlyList<BpmSummaryRow> Summary,
    IReadOnlyList<VoteCurvePoint[]?>? Curves = null);

/// <summary>
/// <c>hybrid bpm</c>: the NN–BPM correspondence and the bounds (SCIENCE.md Part I; jxbz/bpm). For every n and seed
/// (one unit each, <see cref="BpmUnit"/>): the NNGP kernel interpolator, the GP posterior's majority vote and Gibbs
/// error, the PAC-Bayes Gibbs bound (analytic and Monte-Carlo ln 1/P), the Rademacher bound, an ensemble of
/// small-margin networks (its Gibbs error and vote), one large-margin network, and the C-bound of both ensembles;
/// resumable unit by unit. In a sweep the seed goes into <see cref="BpmSettings.Seed"/> (leave <c>seeds</c> at 1);
/// metrics per training size, mean over the run's seeds, every quantity of the table: <c>n=50.nn_vote</c>, <c>n=50.gibbs_bound</c>, …
/// </summary>
public sealed class BpmExperiment : Experiment<BpmSettings, BpmResult>
{
    /// <summary>The quantities a sweep tables and plots: the errors of the NN vote and the GP vote, and the Gibbs bound (all lower is better).</summary>
    public static readonly IReadOnlyList<string> HeadlineKeys = ["nn_vote", "gp_vote", "gibbs_bound"];

    /// <inheritdoc />
    public override string Name => "bpm";
    /// <inheritdoc />
    public override string Description => "Neural networks as Bayes point machines: kernel interpolator, GP vote and Gibbs error, small- and large-margin networks, " +
                                          "PAC-Bayes, Rademacher and C-bounds over training sizes n.";
    /// <inheritdoc />
    public override string ShortDescription => "the NN–BPM correspondence and the PAC-Bayes bounds against n (hybrid bpm)";
    /// <inheritdoc />
    public override BpmSettings Defaults => BpmSettings.Default;
    /// <inheritdoc />
    public override BpmSettings Quick => BpmSettings.Quick;
    /// <inheritdoc />
    public override BpmSettings SweepDefaults => BpmSettings.Default with { Seeds = 1 };
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <summary>bpm's options (uncertainty has them too, over its bpm units).</summary>
    public static IEnumerable<SettingOption<BpmSettings>> BpmOptions(OptionBuilder<BpmSettings> o) =>
    [
        .. FitOptions.Of(o),
        o.Ints("--n", "Training sizes, comma-separated.", (s, v) => s with { TrainSizes = v }, s => s.TrainSizes),
        o.Int("--voters", "Small-margin networks in the ensemble.", (s, v) => s with { NnVoters = v }, s => s.NnVoters),
        o.Number("--large-margin", "Target scale α of the large-margin network.", (s, v) => s with { LargeMargin = v }, s => s.LargeMargin),
        o.Int("--gp-voters", "GP posterior draws.", (s, v) => s with { GpVoters = v }, s => s.GpVoters),
        o.Int("--bound-samples", "Importance samples for the Monte-Carlo ln 1/P (0 = analytic only).", (s, v) => s with { BoundSamples = v }, s => s.BoundSamples),
        o.Number("--delta", "PAC-Bayes confidence δ.", (s, v) => s with { Delta = v }, s => s.Delta),
    ];

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<BpmSettings>> DefineOptions(OptionBuilder<BpmSettings> o) => BpmOptions(o);

    /// <inheritdoc />
    public override void Validate(BpmSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(BpmSettings s) => s.Seeds * s.TrainSizes.Sum(n => (s.NnVoters + 1) * FitCost.Network(s.Data, n, s.Depth, s.Width, s.Steps));

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(BpmSettings s) =>
        (from n in s.TrainSizes from q in HeadlineKeys select new HeadlineMetric($"{Key(n)}.{q}", false)).ToList();

    /// <inheritdoc />
    /// <remarks>Every metric begins with its training size (a sweep over single-size cells folds it away).</remarks>
    public override IReadOnlyList<string> MetricKeys(BpmSettings s) => s.TrainSizes.Select(Key).ToList();

    /// <summary>"n=50": the metric prefix of one training size.</summary>
    public static string Key(int n) => string.Create(CultureInfo.InvariantCulture, $"n={n}");

    /// <inheritdoc />
    public override BpmResult Run(BpmSettings s, ExperimentContext context)
    {
        var resolved = MarginProblem.LoadWhole(s.Data, s.Fit.TaskOrNull, s.Seed);
        using var whole = resolved.Data;
        PartOneChecks.Loaded(whole, s.TrainSizes.Max(), binary: true, "n");
        context.Begin();
        var folder = context.Folder;
        var results = context.WithProgress(observer =>
        {
            var units = new List<BpmUnitResult>();
            var curves = new List<VoteCurvePoint[]?>();
            foreach (int n in s.TrainSizes.OrderBy(n => n))
                foreach (long seed in s.Fit.SeedList)
                {
                    var c = BpmUnitConfig.Of(s, n, seed);
                    var unitFolder = new RunFolder(Path.Combine(folder.Path, c.FolderName));
                    units.Add(BpmUnit.Run(c, whole, unitFolder, observer, context.Cancel));
                    var curve = VoteCurve.Read(unitFolder);
                    if (curve is null)
                        observer.Message($"n={n} seed={seed}: no {VoteCurve.File} (the unit was computed before vote curves existed and its voters' " +
                                         "test predictions were not kept): the report marks its curve absent; run into a new --out to get it.");
                    curves.Add(curve);
                }
            return (units, curves);
        });
        var summary = Summarise(results.units);
        BpmReport.Write(folder, s, results.units, summary, whole.Source, results.curves);
        return new BpmResult(results.units, summary, results.curves);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(BpmSettings s, BpmResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in r.Summary)
            if (double.IsFinite(row.Seeds.Mean)) metrics[$"{Key(row.N)}.{row.Key}"] = row.Seeds.Mean;
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["unit_seconds"] = r.Units.Sum(u => u.KernelSeconds + u.GpSeconds + u.NnSeconds),
        };
        var sizes = r.Summary.Select(x => x.N).Distinct().OrderBy(n => n).ToArray();
        var rows = Quantities.Where(q => q.Key != "rademacher").Select(q => (IReadOnlyList<string>)[q.Label,
            .. sizes.Select(n => r.Summary.First(x => x.N == n && x.Key == q.Key).Seeds.Format("F2", 100))]);
        var summary = ConsoleSummary.Empty
            .Table(["% test error (bounds: % bound)", .. sizes.Select(n => $"n = {n}")], rows, [false, .. sizes.Select(_ => true)])
            .Note("mean ± 95 % interval over seeds; the Rademacher bound and per-unit diagnostics are in the report.");
        return new ExperimentOutcome(RunStatus.Completed, $"{r.Units.Count} units", metrics, timing) { Summary = summary };
    }

    /// <summary>The quantities of the table: key, label, value and its test-set standard error (NaN when none).</summary>
    public static readonly IReadOnlyList<(string Key, string Label, Func<BpmUnitResult, double> Value, Func<BpmUnitResult, double> Se)> Quantities =
    [
        ("gibbs_bound", "GP Gibbs bound, analytic ln 1/P", r => r.GibbsBound, _ => double.NaN),
        ("gibbs_bound_mc", "GP Gibbs bound, Monte-Carlo ln 1/P", r => r.GibbsBoundMonteCarlo, _ => double.NaN),
        ("rademacher", "Rademacher bound", r => r.Rademacher, _ => double.NaN),
        ("gp_cbound", "C-bound of the GP vote", r => r.GpCBound, _ => double.NaN),
        ("nn_cbound", "C-bound of the NN vote", r => r.NnCBound, _ => double.NaN),
        ("gp_gibbs", "GP Gibbs error", r => r.GpGibbs, r => r.GpGibbsSe),
        ("nn_gibbs", "NN Gibbs error (small-margin single nets)", r => r.NnGibbs, r => r.NnGibbsSe),
        ("gp_vote", "GP majority vote", r => r.GpVote, r => r.GpVoteSe),
        ("kernel", "kernel interpolator", r => r.KernelError, r => r.KernelErrorSe),
        ("nn_vote", "NN majority vote (small margin)", r => r.NnVote, r => r.NnVoteSe),
        ("large_margin", "large-margin NN", r => r.LargeMarginError, r => r.LargeMarginErrorSe),
        ("gp_disagreement", "GP voters' disagreement d", r => r.GpDisagreement, _ => double.NaN),
        ("nn_disagreement", "NN voters' disagreement d", r => r.NnDisagreement, _ => double.NaN),
    ];

    /// <summary>Per n and quantity: mean ± 95 % interval over seeds, and the mean test-set standard error.</summary>
    public static IReadOnlyList<BpmSummaryRow> Summarise(IReadOnlyList<BpmUnitResult> results) =>
        results.GroupBy(r => r.N).OrderBy(g => g.Key).SelectMany(g => Quantities.Select(q =>
            new BpmSummaryRow(g.Key, q.Key, q.Label, SeedSummary.Of(g.Select(q.Value)), g.Select(q.Se).DefaultIfEmpty(double.NaN).Average())))
        .ToList();
}
