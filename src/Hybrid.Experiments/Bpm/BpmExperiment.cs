using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Bpm;

/// <summary>One quantity of the bpm table at one n: its mean ± 95 % interval over seeds and the mean test-set standard error.</summary>
/// <param name="N">Training size.</param>
/// <param name="Key">Machine name ("kernel", "gp_vote", …).</param>
/// <param name="Label">What it is, in words.</param>
/// <param name="Seeds">The summary over seeds (fractions).</param>
/// <param name="TestSe">Mean over seeds of the standard error over test points (NaN for the bounds, which have none).</param>
public sealed record BpmSummaryRow(int N, string Key, string Label, SeedSummary Seeds, double TestSe);

/// <summary>
/// <c>hybrid bpm</c>: the NN–BPM correspondence and the bounds (SCIENCE.md Part I; jxbz/bpm). For
/// every n and seed (one unit each, <see cref="BpmUnit"/>): the NNGP kernel interpolator, the GP
/// posterior's majority vote and Gibbs error, the PAC-Bayes Gibbs bound (analytic and Monte-Carlo
/// ln 1/P), the Rademacher bound, an ensemble of small-margin networks (its Gibbs error and vote),
/// one large-margin network, and the C-bound of both ensembles. Resumable unit by unit.
/// </summary>
public static class BpmExperiment
{
    /// <summary>Runs (or resumes) the experiment into <paramref name="folder"/>; returns every unit's result and the summary.</summary>
    public static (IReadOnlyList<BpmUnitResult> Units, IReadOnlyList<BpmSummaryRow> Summary) Run(BpmSettings s, RunFolder folder,
        bool resume, ITrainingObserver observer, CancellationToken cancel = default)
    {
        s.Validate();
        TorchRuntime.EnsureAvailable();
        using var threads = TorchThreads.Use(s.Threads);
        folder.BeginExperiment(s, resume, "bpm experiment");
        var resolved = MarginProblem.LoadWhole(s.Data, s.TaskOrNull, s.Seed);
        using var whole = resolved.Data;
        PartOneChecks.Loaded(whole, s.TrainSizes.Max(), binary: true, "n");
        var results = new List<BpmUnitResult>();
        foreach (int n in s.TrainSizes.OrderBy(n => n))
            foreach (long seed in s.SeedList)
            {
                var c = BpmUnitConfig.Of(s, n, seed);
                results.Add(BpmUnit.Run(c, whole, new RunFolder(Path.Combine(folder.Path, c.FolderName)), observer, cancel));
            }
        var summary = Summarise(results);
        BpmReport.Write(folder, s, results, summary, whole.Source);
        return (results, summary);
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
