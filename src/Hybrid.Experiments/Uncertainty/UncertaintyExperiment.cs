using System.Globalization;
using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Trainer;
using TorchSharp;

namespace Hybrid.Experiments.Uncertainty;

/// <summary>How one confidence source did on one unit's test set.</summary>
/// <param name="N">Training size of the unit.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Source">The source's key (nn-vote, gp-vote, gp-phi, large-margin).</param>
/// <param name="Accuracy">Accuracy of the source's own predictions.</param>
/// <param name="Ece">Expected calibration error (NaN for a score that is not a probability).</param>
/// <param name="Selective">Accuracy on the most confident fraction, one per <see cref="UncertaintySettings.Coverages"/>.</param>
/// <param name="MeanSelective">The mean of <paramref name="Selective"/> (area under the selective-accuracy curve).</param>
/// <param name="Bins">The reliability diagram (empty for a score).</param>
/// <param name="MeanConfidence">Mean confidence over the test points (NaN for a score): below <paramref name="Accuracy"/> means under-confident.</param>
public sealed record SourceMetrics(int N, long Seed, string Source, double Accuracy, double Ece, double[] Selective, double MeanSelective,
    IReadOnlyList<ReliabilityBin> Bins, double MeanConfidence);

/// <summary>Spearman rank correlation between two sources' confidences on one unit.</summary>
public sealed record RankCorrelation(int N, long Seed, string A, string B, double Spearman);

/// <summary>What <c>hybrid uncertainty</c> produced: every source's metrics per unit and every pair's rank correlation.</summary>
public sealed record UncertaintyResult(IReadOnlyList<SourceMetrics> Metrics, IReadOnlyList<RankCorrelation> Correlations);

/// <summary>
/// <c>hybrid uncertainty</c> ("regularise for accuracy, anti-regularise for uncertainty"): on the
/// test points of <c>hybrid bpm</c>'s units, the confidence of the small-margin networks' vote
/// (vote fraction), of the GP (its posterior vote fraction, and Φ(|μ|/σ) from the posterior
/// predictive's mean and standard deviation) and of the single large-margin network (|f(x)|,
/// not a probability): their rank correlations, selective-accuracy curves and calibration. Its options
/// are bpm's (over the bpm units it analyses) and <c>--from</c>, <c>--bins</c>. In a sweep the bpm units run in
/// the run folder (<c>from</c> is refused) and the seed goes into <c>bpm.seed</c>; metrics per training size and
/// confidence source: <c>n=50.gp-vote.ece</c>, <c>…accuracy</c>, <c>…mean_selective</c>.
/// </summary>
public sealed class UncertaintyExperiment : Experiment<UncertaintySettings, UncertaintyResult>
{
    /// <summary>The confidence sources: key, label, and whether the confidence is a probability (calibration applies).</summary>
    public static readonly IReadOnlyList<(string Key, string Label, bool Probability)> Sources =
    [
        ("nn-vote", "small-margin NN vote fraction", true),
        ("gp-vote", "GP posterior vote fraction", true),
        ("gp-phi", "GP Φ(|μ|/σ)", true),
        ("large-margin", "large-margin NN |f(x)|", false),
    ];

    /// <inheritdoc />
    public override string Name => "uncertainty";
    /// <inheritdoc />
    public override string Description => "Predictive uncertainty from many small-margin networks (their vote), from the GP and from one large-margin network: " +
                                          "rank correlation, selective accuracy and calibration.";
    /// <inheritdoc />
    public override string ShortDescription => "calibration and selective accuracy of the GP and NN confidences (hybrid uncertainty)";
    /// <inheritdoc />
    public override UncertaintySettings Defaults => UncertaintySettings.Default;
    /// <inheritdoc />
    public override UncertaintySettings Quick => UncertaintySettings.Quick;
    /// <inheritdoc />
    public override UncertaintySettings SweepDefaults => UncertaintySettings.Default with { Bpm = UncertaintySettings.Default.Bpm with { Seeds = 1 } };
    /// <inheritdoc />
    public override string SeedField => "bpm.seed";
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<UncertaintySettings>> DefineOptions(OptionBuilder<UncertaintySettings> o) =>
    [
        .. BpmExperiment.BpmOptions(new OptionBuilder<BpmSettings>()).Select(b => b.Over<UncertaintySettings>(u => u.Bpm, (u, v) => u with { Bpm = v })),
        o.Text("--from", "A `hybrid bpm` run folder whose units (run with the same options) are reused instead of trained again.", (s, v) => s with { From = v }),
        o.Int("--bins", "Reliability-diagram bins.", (s, v) => s with { Bins = v }, s => s.Bins),
    ];

    /// <inheritdoc />
    public override void Validate(UncertaintySettings settings) => settings.Validate();

    /// <inheritdoc />
    public override void ValidateForSweep(UncertaintySettings s)
    {
        if (s.From is not null)
            throw new ArgumentException("'from' cannot be used in a sweep: each run computes its own bpm units in its run folder.", "from");
        s.Validate();
    }

    /// <inheritdoc />
    public override double Cost(UncertaintySettings s) => new BpmExperiment().Cost(s.Bpm);

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(UncertaintySettings s) =>
        (from n in s.Bpm.TrainSizes from src in Sources from h in Headline($"{BpmExperiment.Key(n)}.{src.Key}", src.Probability) select h).ToList();

    // Every source ranks (mean selective accuracy, higher is better); only probabilities are calibrated (ECE, lower is better).
    private static IEnumerable<HeadlineMetric> Headline(string key, bool probability)
    {
        yield return new HeadlineMetric($"{key}.mean_selective", true);
        if (probability) yield return new HeadlineMetric($"{key}.ece", false);
    }

    /// <inheritdoc />
    public override UncertaintyResult Run(UncertaintySettings s, ExperimentContext context)
    {
        DataSet? whole = null;
        try
        {
            if (s.From is null)
            {
                whole = MarginProblem.LoadWhole(s.Bpm.Data, s.Bpm.Fit.TaskOrNull, s.Bpm.Seed).Data;
                PartOneChecks.Loaded(whole, s.Bpm.TrainSizes.Max(), binary: true, "n");
            }
            context.Begin();
            var folder = context.Folder;
            var (metrics, correlations) = context.WithProgress(observer =>
            {
                var sources = new List<SourceMetrics>();
                var pairs = new List<RankCorrelation>();
                foreach (int n in s.Bpm.TrainSizes.OrderBy(n => n))
                    foreach (long seed in s.Bpm.Fit.SeedList)
                    {
                        var c = BpmUnitConfig.Of(s.Bpm, n, seed);
                        string unitPath;
                        if (s.From is not null)
                        {
                            var source = RunFolder.At(Path.Combine(s.From, c.FolderName));
                            if (UnitStore.TryRead<BpmUnitConfig, BpmUnitResult>(source, c) is null || !source.Has(BpmUnit.PredictionsFile))
                                throw new InvalidOperationException(
                                    $"--from {s.From} has no finished unit for n = {n}, seed {seed} with these settings ({c.FolderName}); " +
                                    "give the same bpm options as that run, or leave out --from to run the units here.");
                            unitPath = source.Path;
                        }
                        else
                        {
                            var unit = new RunFolder(Path.Combine(folder.Path, c.FolderName));
                            BpmUnit.Run(c, whole!, unit, observer, context.Cancel);
                            unitPath = unit.Path;
                        }
                        var (m, r) = Analyse(n, seed, BpmUnit.ReadPredictions(Path.Combine(unitPath, BpmUnit.PredictionsFile)), s.Bins);
                        sources.AddRange(m);
                        pairs.AddRange(r);
                    }
                return (sources, pairs);
            });
            UncertaintyReport.Write(folder, s, metrics, correlations);
            return new UncertaintyResult(metrics, correlations);
        }
        finally
        {
            whole?.Dispose();
        }
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(UncertaintySettings s, UncertaintyResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var g in r.Metrics.GroupBy(m => (m.N, m.Source)))
        {
            string k = $"{BpmExperiment.Key(g.Key.N)}.{g.Key.Source}";
            foreach (var (name, value) in new[] { ("accuracy", g.Average(m => m.Accuracy)), ("ece", g.Average(m => m.Ece)),
                         ("mean_selective", g.Average(m => m.MeanSelective)) })
                if (double.IsFinite(value)) metrics[$"{k}.{name}"] = value; // a score that is no probability has no ECE
        }
        var rows = r.Metrics.GroupBy(m => (m.N, m.Source)).Select(g => (IReadOnlyList<string>)[g.Key.N.ToString(CultureInfo.InvariantCulture), g.Key.Source,
            SeedSummary.Of(g.Select(m => m.Accuracy)).Format("F2", 100), SeedSummary.Of(g.Select(m => m.Ece)).Format("F2", 100),
            SeedSummary.Of(g.Select(m => m.MeanSelective)).Format("F2", 100)]);
        var summary = ConsoleSummary.Empty
            .Table(["n", "source", "accuracy", "ECE", "mean selective accuracy"], rows, [true, false, true, true, true])
            .Note("%, mean ± 95 % interval over seeds; rank correlations and plots are in the report.");
        return new ExperimentOutcome(RunStatus.Completed, $"{r.Metrics.Count} source rows", metrics, new SortedDictionary<string, double>()) { Summary = summary };
    }

    /// <summary>Every source's metrics and every pair's rank correlation on one unit's predictions.</summary>
    public static (List<SourceMetrics> Metrics, List<RankCorrelation> Correlations) Analyse(int n, long seed,
        IReadOnlyDictionary<string, double[]> p, int bins)
    {
        var y = p["label"];
        var scores = Sources.ToDictionary(src => src.Key, src => Score(src.Key, p));
        var metrics = Sources.Select(src =>
        {
            var (correct, confidence) = scores[src.Key];
            var selective = UncertaintySettings.Coverages.Select(cov => ConfidenceMetrics.SelectiveAccuracy(confidence, correct, cov)).ToArray();
            return new SourceMetrics(n, seed, src.Key, correct.Average(b => b ? 1.0 : 0.0),
                src.Probability ? ConfidenceMetrics.ExpectedCalibrationError(confidence, correct, bins) : double.NaN,
                selective, selective.Average(), src.Probability ? ConfidenceMetrics.Reliability(confidence, correct, bins) : [],
                src.Probability ? confidence.Average() : double.NaN);
        }).ToList();
        var correlations = new List<RankCorrelation>();
        for (int i = 0; i < Sources.Count; ++i)
            for (int j = i + 1; j < Sources.Count; ++j)
                correlations.Add(new RankCorrelation(n, seed, Sources[i].Key, Sources[j].Key,
                    ConfidenceMetrics.Spearman(scores[Sources[i].Key].Confidence, scores[Sources[j].Key].Confidence)));
        return (metrics, correlations);
    }

    /// <summary>
    /// A source's prediction outcome and confidence per test point: a vote fraction p predicts +1
    /// when p ≥ ½ with confidence max(p, 1 − p); the GP predicts sign μ with confidence Φ(|μ|/σ);
    /// the large-margin net predicts sign f with the score |f|.
    /// </summary>
    public static (bool[] Correct, double[] Confidence) Score(string source, IReadOnlyDictionary<string, double[]> p)
    {
        var y = p["label"];
        switch (source)
        {
            case "nn-vote" or "gp-vote":
            {
                var plus = p[source == "nn-vote" ? "nn_plus_fraction" : "gp_plus_fraction"];
                return (plus.Select((q, i) => (q >= 0.5 ? 1 : -1) == Math.Sign(y[i])).ToArray(), plus.Select(q => Math.Max(q, 1 - q)).ToArray());
            }
            case "gp-phi":
            {
                var mu = p["gp_mean"];
                var sd = p["gp_sd"];
                using var z = torch.tensor(mu.Select((m, i) => Math.Abs(m) / Math.Max(sd[i], 1e-300)).ToArray());
                using var phi = torch.special.ndtr(z);
                return (mu.Select((m, i) => (m >= 0 ? 1 : -1) == Math.Sign(y[i])).ToArray(), phi.data<double>().ToArray());
            }
            case "large-margin":
            {
                var f = p["large_margin_output"];
                return (f.Select((v, i) => (v >= 0 ? 1 : -1) == Math.Sign(y[i])).ToArray(), f.Select(Math.Abs).ToArray());
            }
            default: throw new ArgumentException($"unknown confidence source '{source}'.", nameof(source));
        }
    }
}
