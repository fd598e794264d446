using System.Globalization;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Bpm;

/// <summary>Everything one unit of <c>hybrid bpm</c> (one n, one seed) depends on.</summary>
public sealed record BpmUnitConfig(
    string Data, string? Task, long DataSeed, int N, int? TestSize, int Depth, int Width, FitSchedule Schedule,
    int NnVoters, double LargeMargin, int GpVoters, int BoundSamples, double Delta, long Seed)
{
    /// <summary>The unit's config within a run of <paramref name="s"/>.</summary>
    public static BpmUnitConfig Of(BpmSettings s, int n, long seed) => new(s.Data, s.Fit.TaskOrNull, s.Seed, n, s.TestSize,
        s.Depth, s.Width, s.Fit.Schedule, s.NnVoters, s.LargeMargin, s.GpVoters, s.BoundSamples, s.Delta, seed);

    /// <summary>The unit's folder, relative to the run folder.</summary>
    public string FolderName => Path.Combine("units", $"n-{N:D4}", $"seed-{Seed}");
}

/// <summary>What one unit measured (errors and bounds as fractions; SE = standard error over test points).</summary>
public sealed record BpmUnitResult(
    int N, long Seed, int TestPoints, double Jitter, double NthRootDet, double TargetScale, double TraceInverse, double YInvY,
    double LnInvPAnalytic, double LnInvPMonteCarlo, double LnInvPMonteCarloSe, double BoundEffectiveSamples,
    double GibbsBound, double GibbsBoundMonteCarlo, double Rademacher,
    double KernelError, double KernelErrorSe,
    double GpVote, double GpVoteSe, double GpGibbs, double GpGibbsSe, double GpDisagreement, double GpCBound,
    double NnVote, double NnVoteSe, double NnGibbs, double NnGibbsSe, double NnDisagreement, double NnCBound,
    double LargeMarginError, double LargeMarginErrorSe, double LargeMarginTrainAccuracy,
    double NnVotersInterpolating, double NnMeanTrainAccuracy,
    double KernelSeconds, double GpSeconds, double NnSeconds);

/// <summary>
/// One unit of <c>hybrid bpm</c>: for one training subset (n, seed) the NNGP kernel, the GP side
/// (interpolator, posterior vote and Gibbs error, bounds) and the network side (an ensemble of
/// small-margin networks and one large-margin network, trained together as one batched model).
/// Writes unit.json, predictions.csv (per test point, for <c>hybrid uncertainty</c>) and vote-curve.csv
/// (<see cref="VoteCurve"/>: the vote error of the first k voters of each ensemble).
/// </summary>
public static class BpmUnit
{
    /// <summary>The per-test-point file.</summary>
    public const string PredictionsFile = "predictions.csv";

    /// <summary>Its columns.</summary>
    public static readonly string[] PredictionColumns =
        ["label", "kernel_mean", "gp_plus_fraction", "gp_mean", "gp_sd", "nn_plus_fraction", "large_margin_output"];

    /// <summary>Runs the unit (or reads it back when <paramref name="folder"/> already holds it with the same config).</summary>
    public static BpmUnitResult Run(BpmUnitConfig c, DataSet whole, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        if (UnitStore.Find<BpmUnitConfig, BpmUnitResult>(folder, c) is { } done && folder.Has(PredictionsFile)) return done;
        using var problem = MarginProblem.Subset(whole, c.N, c.TestSize, c.Seed);
        using var yTrain = MarginProblem.Signs(problem.TrainY);
        using var yTest = MarginProblem.Signs(problem.TestY);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // GP side: kernel, posterior, interpolator, posterior draws, bounds.
        using var kTrain = NngpKernel.Matrix(problem.TrainX, problem.TrainX, c.Depth);
        using var kCross = NngpKernel.Matrix(problem.TestX, problem.TrainX, c.Depth);
        using var kDiag = NngpKernel.Diagonal(problem.TestX, c.Depth);
        using var gp = GpPosterior.Fit(kTrain, kCross, kDiag, yTrain);
        var kernel = VoteStatistics.SignError(gp.InterpolatorMean, yTest);
        double kernelSeconds = clock.Elapsed.TotalSeconds;
        cancel.ThrowIfCancellationRequested();
        var gpKs = VoteCurve.Ks(c.GpVoters);
        using var gpPlus = gp.Draw(c.GpVoters, UnitSeeds.Of(c.Seed, "gp-draws", c.N), gpKs, out var gpCounts);
        VoteCurvePoint[] gpCurve;
        using (gpCounts) gpCurve = VoteCurve.FromCounts("gp", gpCounts, gpKs, yTest);
        var gpStats = VoteStatistics.Of(gpPlus, yTest);
        double analytic = Bounds.AnalyticLnInvP(c.N, gp.NthRootDet, gp.TraceInverse, gp.YInvY);
        var (mc, mcSe, ess) = c.BoundSamples >= 2
            ? gp.LnInvPMonteCarlo(c.BoundSamples, UnitSeeds.Of(c.Seed, "bound-samples", c.N))
            : (double.NaN, double.NaN, double.NaN);
        double gpSeconds = clock.Elapsed.TotalSeconds - kernelSeconds;
        cancel.ThrowIfCancellationRequested();

        // Network side: NnVoters small-margin nets (targets y ⊙ |ξ| · det(Σ)^{1/(2n)}) and one large-margin net (α·y).
        var spec = ModelSpec.MarginMlp([problem.D], 1, c.Depth, c.Width);
        var seeds = Enumerable.Range(0, c.NnVoters).Select(i => UnitSeeds.Of(c.Seed, "nn-init", i))
            .Append(UnitSeeds.Of(c.Seed, "large-margin-init")).ToArray();
        using var targets = NetworkTargets(yTrain, c.NnVoters, gp.TargetScale, c.LargeMargin, UnitSeeds.Of(c.Seed, "nn-targets", c.N));
        string name = $"bpm n={c.N} seed={c.Seed}: {c.NnVoters} small-margin nets + 1 large-margin net";
        using var fit = MarginFit.Fit(problem, spec, seeds, targets, c.Schedule, observer, name, cancel);
        using var testOut = fit.TestOutputs.squeeze(2);   // [V+1, T]
        using var trainOut = fit.TrainOutputs.squeeze(2); // [V+1, n]
        using var voters = testOut.narrow(0, 0, c.NnVoters);
        using var nnPlus = voters.gt(TorchScalars.Zero).to_type(ScalarType.Float64).mean([0]);
        var nnStats = VoteStatistics.Of(nnPlus, yTest);
        using var largeMargin = testOut[c.NnVoters];
        var large = VoteStatistics.SignError(largeMargin, yTest);
        using var trainCorrect = (trainOut * yTrain.to_type(ScalarType.Float64).unsqueeze(0)).gt(TorchScalars.Zero).to_type(ScalarType.Float64).mean([1]);
        var trainAcc = trainCorrect.data<double>().ToArray();
        // the vote of the first k voters, and of the first k of those that fit every training sign (issue 23 item 3)
        using var fitIndex = torch.tensor(Enumerable.Range(0, c.NnVoters).Where(i => trainAcc[i] == 1.0).Select(i => (long)i).ToArray(), ScalarType.Int64);
        using var fitVoters = voters.index_select(0, fitIndex);
        VoteCurvePoint[] curve = [.. VoteCurve.Of("nn", voters, yTest), .. VoteCurve.Of("nn_fit", fitVoters, yTest), .. gpCurve];
        double nnSeconds = clock.Elapsed.TotalSeconds - kernelSeconds - gpSeconds;

        var result = new BpmUnitResult(c.N, c.Seed, problem.T, gp.Jitter, gp.NthRootDet, gp.TargetScale, gp.TraceInverse, gp.YInvY,
            analytic, mc, mcSe, ess, Bounds.Gibbs(analytic, c.N, c.Delta), double.IsNaN(mc) ? double.NaN : Bounds.Gibbs(mc, c.N, c.Delta),
            Bounds.Rademacher(gp.YInvY, c.N), kernel.Error, kernel.Se,
            gpStats.VoteError, gpStats.VoteErrorSe, gpStats.GibbsRisk, gpStats.GibbsRiskSe, gpStats.Disagreement, gpStats.CBound,
            nnStats.VoteError, nnStats.VoteErrorSe, nnStats.GibbsRisk, nnStats.GibbsRiskSe, nnStats.Disagreement, nnStats.CBound,
            large.Error, large.Se, trainAcc[^1], trainAcc.Take(c.NnVoters).Count(a => a == 1.0) / (double)c.NnVoters,
            trainAcc.Take(c.NnVoters).Average(), kernelSeconds, gpSeconds, nnSeconds);

        var (gpMean, gpSd) = gp.PredictiveMoments();
        using (gpMean)
        using (gpSd)
            folder.WriteText(PredictionsFile, PredictionsCsv(yTest, gp.InterpolatorMean, gpPlus, gpMean, gpSd, nnPlus, largeMargin));
        VoteCurve.Write(folder, curve);
        UnitStore.Write(folder, c, result);
        observer.Message(string.Create(CultureInfo.InvariantCulture,
            $"n={c.N} seed={c.Seed}: kernel {100 * result.KernelError:F2}%, GP vote {100 * result.GpVote:F2}%, GP Gibbs {100 * result.GpGibbs:F2}%, " +
            $"bound {100 * result.GibbsBound:F1}%, NN vote {100 * result.NnVote:F2}%, NN Gibbs {100 * result.NnGibbs:F2}%, " +
            $"large margin {100 * result.LargeMarginError:F2}% ({clock.Elapsed.TotalSeconds:F0} s)"));
        return result;
    }

    /// <summary>
    /// Targets [V + 1, n, 1]: V small-margin targets y ⊙ |ξ_v| · scale (ξ_v ~ N(0, I) drawn from
    /// <paramref name="seed"/>, one per voter, as jxbz/bpm's gauss_target) and the large-margin α·y last.
    /// </summary>
    public static Tensor NetworkTargets(Tensor y, int voters, double scale, double alpha, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(unchecked((ulong)seed));
        var y32 = y.to_type(ScalarType.Float32);
        var xi = torch.randn([voters, y.shape[0]], generator: gen).abs();
        using Scalar scaleS = ((float)scale).ToScalar(), alphaS = ((float)alpha).ToScalar(); // live through the calls (TorchScalars)
        var small = xi * y32.unsqueeze(0) * scaleS;
        var all = torch.cat([small, (y32 * alphaS).unsqueeze(0)]);
        return all.unsqueeze(2).MoveToOuterDisposeScope();
    }

    /// <summary>Reads a unit's predictions.csv back: column name → values.</summary>
    public static Dictionary<string, double[]> ReadPredictions(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0] != string.Join(',', PredictionColumns))
            throw new InvalidDataException($"{path} is not a bpm predictions file (header '{string.Join(',', PredictionColumns)}').");
        var rows = lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        return PredictionColumns.Select((name, j) => (name, rows.Select(r => r[j]).ToArray())).ToDictionary(p => p.name, p => p.Item2);
    }

    private static string PredictionsCsv(params Tensor[] columns)
    {
        var data = columns.Select(t => { using var d = t.to_type(ScalarType.Float64).cpu(); return d.data<double>().ToArray(); }).ToArray();
        return Csv.Of(PredictionColumns, Enumerable.Range(0, data[0].Length).Select(i => data.Select(col => (object?)col[i])));
    }
}
