using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Margin;
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

/// <summary>
/// <c>hybrid uncertainty</c> ("regularise for accuracy, anti-regularise for uncertainty"): on the
/// test points of <c>hybrid bpm</c>'s units, the confidence of the small-margin networks' vote
/// (vote fraction), of the GP (its posterior vote fraction, and Φ(|μ|/σ) from the posterior
/// predictive's mean and standard deviation) and of the single large-margin network (|f(x)|,
/// not a probability): their rank correlations, selective-accuracy curves and calibration.
/// </summary>
public static class UncertaintyExperiment
{
    /// <summary>The confidence sources: key, label, and whether the confidence is a probability (calibration applies).</summary>
    public static readonly IReadOnlyList<(string Key, string Label, bool Probability)> Sources =
    [
        ("nn-vote", "small-margin NN vote fraction", true),
        ("gp-vote", "GP posterior vote fraction", true),
        ("gp-phi", "GP Φ(|μ|/σ)", true),
        ("large-margin", "large-margin NN |f(x)|", false),
    ];

    /// <summary>Runs (or resumes) the analysis into <paramref name="folder"/>.</summary>
    public static (IReadOnlyList<SourceMetrics> Metrics, IReadOnlyList<RankCorrelation> Correlations) Run(UncertaintySettings s, RunFolder folder,
        bool resume, ITrainingObserver observer, CancellationToken cancel = default)
    {
        s.Validate();
        TorchRuntime.EnsureAvailable();
        using var threads = TorchThreads.Use(s.Bpm.Threads);
        folder.BeginExperiment(s, resume, "uncertainty experiment");
        DataSet? whole = null;
        try
        {
            var metrics = new List<SourceMetrics>();
            var correlations = new List<RankCorrelation>();
            foreach (int n in s.Bpm.TrainSizes.OrderBy(n => n))
                foreach (long seed in s.Bpm.SeedList)
                {
                    var c = BpmUnitConfig.Of(s.Bpm, n, seed);
                    string unitPath;
                    if (s.From is not null)
                    {
                        var source = new RunFolder(Path.Combine(s.From, c.FolderName));
                        if (Units.TryRead<BpmUnitConfig, BpmUnitResult>(source, c) is null || !source.Has(BpmUnit.PredictionsFile))
                            throw new InvalidOperationException(
                                $"--from {s.From} has no finished unit for n = {n}, seed {seed} with these settings ({c.FolderName}); " +
                                "give the same bpm options as that run, or leave out --from to run the units here.");
                        unitPath = source.Path;
                    }
                    else
                    {
                        if (whole is null)
                        {
                            whole = MarginProblem.LoadWhole(s.Bpm.Data, s.Bpm.TaskOrNull, s.Bpm.Seed).Data;
                            PartOneChecks.Loaded(whole, s.Bpm.TrainSizes.Max(), binary: true, "n");
                        }
                        var unit = new RunFolder(Path.Combine(folder.Path, c.FolderName));
                        BpmUnit.Run(c, whole, unit, observer, cancel);
                        unitPath = unit.Path;
                    }
                    var (m, r) = Analyse(n, seed, BpmUnit.ReadPredictions(Path.Combine(unitPath, BpmUnit.PredictionsFile)), s.Bins);
                    metrics.AddRange(m);
                    correlations.AddRange(r);
                }
            UncertaintyReport.Write(folder, s, metrics, correlations);
            return (metrics, correlations);
        }
        finally
        {
            whole?.Dispose();
        }
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
