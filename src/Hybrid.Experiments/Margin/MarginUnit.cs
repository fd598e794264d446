using System.Globalization;
using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Margin;

/// <summary>Everything one α-unit of <c>hybrid margin</c> depends on.</summary>
public sealed record MarginUnitConfig(string Data, string? Task, long DataSeed, int TrainSize, int? TestSize, int Depth, int Width,
    FitSchedule Schedule, double Alpha, int AverageK, bool RandomLabels, long Seed)
{
    /// <summary>The unit's folder, relative to the run folder.</summary>
    public string FolderName => Path.Combine("units", $"seed-{Seed}", $"alpha-{Alpha.ToString("0.######e+0", CultureInfo.InvariantCulture)}");
}

/// <summary>What one α-unit measured (accuracies as fractions; margins on the training set).</summary>
/// <param name="Alpha">The target scale α.</param>
/// <param name="Seed">The unit's seed.</param>
/// <param name="TrainAccuracy">The single network's training accuracy.</param>
/// <param name="TestAccuracy">Its test accuracy.</param>
/// <param name="MarginMedian">Median over training examples of its normalised margin.</param>
/// <param name="MarginMin">Minimum over training examples (negative when it does not interpolate).</param>
/// <param name="FinalLoss">Its final ‖f(X) − α·y‖.</param>
/// <param name="Interpolates">Training accuracy is 100 %.</param>
/// <param name="AverageK">Networks in the average (1: none).</param>
/// <param name="AverageTestAccuracy">Test accuracy of the average of the k networks' outputs (NaN when k = 1).</param>
/// <param name="MembersTestAccuracy">Mean test accuracy of those k networks alone.</param>
/// <param name="MembersInterpolating">Fraction of the k networks at 100 % training accuracy.</param>
/// <param name="RandomTrainAccuracy">The random-label twin's training accuracy (on its random labels; NaN without a twin).</param>
/// <param name="RandomTestAccuracy">Its test accuracy (on the true test labels).</param>
/// <param name="RandomMarginMedian">Its median normalised margin (on its random labels).</param>
/// <param name="Seconds">Wall time of the unit.</param>
public sealed record MarginUnitResult(double Alpha, long Seed, double TrainAccuracy, double TestAccuracy, double MarginMedian,
    double MarginMin, double FinalLoss, bool Interpolates, int AverageK, double AverageTestAccuracy, double MembersTestAccuracy,
    double MembersInterpolating, double RandomTrainAccuracy, double RandomTestAccuracy, double RandomMarginMedian, double Seconds);

/// <summary>The kernel interpolator of one seed's training subset (the plateau the margin curve should reach).</summary>
public sealed record MarginKernelResult(long Seed, double TestAccuracy, double Jitter);

/// <summary>
/// <c>hybrid margin</c>: normalised-margin control (SCIENCE.md Part I; alexfarhang/margin). For
/// every α and seed (one unit each): k networks trained to α·targets by the control recipe
/// (<see cref="MarginFit"/>) — the first is "the single net", all k are averaged where asked —
/// and a twin trained on random labels, all in one batched model; per seed, the NNGP kernel
/// interpolator as the reference plateau. Resumable unit by unit.
/// </summary>
public static class MarginExperiment
{
    /// <summary>Runs (or resumes) the experiment into <paramref name="folder"/>.</summary>
    public static (IReadOnlyList<MarginUnitResult> Units, IReadOnlyList<MarginKernelResult> Kernels) Run(MarginSettings s, RunFolder folder,
        bool resume, ITrainingObserver observer, CancellationToken cancel = default)
    {
        s.Validate();
        TorchRuntime.EnsureAvailable();
        using var threads = TorchThreads.Use(s.Threads);
        folder.BeginExperiment(s, resume, "margin experiment");
        var resolved = MarginProblem.LoadWhole(s.Data, s.TaskOrNull, s.Seed);
        using var whole = resolved.Data;
        PartOneChecks.Loaded(whole, s.TrainSize, binary: false, "train-size");
        var units = new List<MarginUnitResult>();
        var kernels = new List<MarginKernelResult>();
        foreach (long seed in s.SeedList)
        {
            kernels.Add(Kernel(s, whole, seed, folder));
            foreach (double alpha in s.Alphas.OrderBy(a => a))
            {
                var c = new MarginUnitConfig(s.Data, s.TaskOrNull, s.Seed, s.TrainSize, s.TestSize, s.Depth, s.Width, s.Schedule,
                    alpha, s.AverageAt(alpha), s.RandomLabels, seed);
                units.Add(RunUnit(c, whole, new RunFolder(Path.Combine(folder.Path, c.FolderName)), observer, cancel));
            }
        }
        MarginReport.Write(folder, s, units, kernels, whole.Source);
        return (units, kernels);
    }

    /// <summary>One α-unit (read back when its folder already holds it with the same config).</summary>
    public static MarginUnitResult RunUnit(MarginUnitConfig c, DataSet whole, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        if (Units.TryRead<MarginUnitConfig, MarginUnitResult>(folder, c) is { } done) return done;
        using var problem = MarginProblem.Subset(whole, c.TrainSize, c.TestSize, c.Seed);
        var spec = ModelSpec.MarginMlp([problem.D], problem.Outputs, c.Depth, c.Width);
        // Members 0…k−1: clean labels, the same initialisations at every α; member k: the random-label twin.
        var seeds = Enumerable.Range(0, c.AverageK).Select(i => UnitSeeds.Of(c.Seed, "margin-init", i)).ToList();
        using var randomLabels = problem.RandomLabels(UnitSeeds.Of(c.Seed, "random-labels"));
        using var clean = problem.Targets(problem.TrainY, c.Alpha);
        var targetList = Enumerable.Repeat(clean, c.AverageK).ToList();
        if (c.RandomLabels)
        {
            seeds.Add(UnitSeeds.Of(c.Seed, "random-init"));
            targetList.Add(problem.Targets(randomLabels, c.Alpha));
        }
        using var targets = torch.stack(targetList);
        if (c.RandomLabels) targetList[^1].Dispose();
        string name = string.Create(CultureInfo.InvariantCulture,
            $"margin α={c.Alpha:G3} seed={c.Seed}: {c.AverageK} net{(c.AverageK > 1 ? "s" : "")}{(c.RandomLabels ? " + random-label twin" : "")}");
        using var fit = MarginFit.Fit(problem, spec, seeds, targets, c.Schedule, observer, name, cancel);

        using var trainPred = MarginFit.Predictions(fit.TrainOutputs);
        using var testPred = MarginFit.Predictions(fit.TestOutputs);
        using var margins = MarginFit.NormalisedMargins(fit.TrainOutputs.narrow(0, 0, c.AverageK), problem.TrainY, problem.TrainX,
            fit.NormProducts.narrow(0, 0, c.AverageK));
        double[] trainAcc = Accuracy(trainPred.narrow(0, 0, c.AverageK), problem.TrainY);
        double[] testAcc = Accuracy(testPred.narrow(0, 0, c.AverageK), problem.TestY);
        double averageAcc = double.NaN;
        if (c.AverageK > 1)
        {
            using var mean = fit.TestOutputs.narrow(0, 0, c.AverageK).mean([0], keepdim: true);
            using var meanPred = MarginFit.Predictions(mean);
            averageAcc = Accuracy(meanPred, problem.TestY)[0];
        }
        double randomTrain = double.NaN, randomTest = double.NaN, randomMargin = double.NaN;
        if (c.RandomLabels)
        {
            int r = c.AverageK;
            randomTrain = Accuracy(trainPred.narrow(0, r, 1), randomLabels)[0];
            randomTest = Accuracy(testPred.narrow(0, r, 1), problem.TestY)[0];
            using var rm = MarginFit.NormalisedMargins(fit.TrainOutputs.narrow(0, r, 1), randomLabels, problem.TrainX, fit.NormProducts.narrow(0, r, 1));
            randomMargin = rm.median().item<double>();
        }
        using var first = margins[0];
        var result = new MarginUnitResult(c.Alpha, c.Seed, trainAcc[0], testAcc[0], first.median().item<double>(), first.min().item<double>(),
            fit.FinalLoss[0], trainAcc[0] == 1.0, c.AverageK, averageAcc, testAcc.Average(), trainAcc.Count(a => a == 1.0) / (double)c.AverageK,
            randomTrain, randomTest, randomMargin, fit.Seconds);
        Units.Write(folder, c, result);
        var inv = CultureInfo.InvariantCulture;
        string average = c.AverageK > 1 ? string.Create(inv, $", {c.AverageK}-net average {100 * averageAcc:F2}%") : "";
        string random = c.RandomLabels ? string.Create(inv, $", random labels test {100 * randomTest:F2}% (train {100 * randomTrain:F1}%)") : "";
        observer.Message(string.Create(inv, $"α={c.Alpha:G3} seed={c.Seed}: train {100 * result.TrainAccuracy:F1}%, test {100 * result.TestAccuracy:F2}%") +
            average + random + string.Create(inv, $", median margin {result.MarginMedian:G3} ({fit.Seconds:F0} s)"));
        return result;
    }

    /// <summary>The kernel interpolator's test accuracy on one seed's subset (binary: sign of Σ_ab·Σ⁻¹·y; else argmax of Σ_ab·Σ⁻¹·onehot).</summary>
    public static MarginKernelResult Kernel(MarginSettings s, DataSet whole, long seed, RunFolder folder)
    {
        var config = new { s.Data, Task = s.TaskOrNull, DataSeed = s.Seed, s.TrainSize, s.TestSize, s.Depth, Seed = seed };
        var unit = new RunFolder(Path.Combine(folder.Path, "units", $"seed-{seed}", "kernel"));
        if (Units.TryRead<object, MarginKernelResult>(unit, config) is { } done) return done;
        using var problem = MarginProblem.Subset(whole, s.TrainSize, s.TestSize, seed);
        using var kTrain = NngpKernel.Matrix(problem.TrainX, problem.TrainX, s.Depth);
        using var kCross = NngpKernel.Matrix(problem.TestX, problem.TrainX, s.Depth);
        using var kDiag = NngpKernel.Diagonal(problem.TestX, s.Depth);
        using var signs = MarginProblem.Signs(problem.TrainY);
        using var gp = GpPosterior.Fit(kTrain, kCross, kDiag, signs);
        using var targets = problem.Targets(problem.TrainY, 1.0).to_type(ScalarType.Float64); // [n, outputs]
        using var outputs = gp.B.matmul(targets).unsqueeze(0);                                  // [1, T, outputs]
        using var predictions = MarginFit.Predictions(outputs);
        var result = new MarginKernelResult(seed, Accuracy(predictions, problem.TestY)[0], gp.Jitter);
        Units.Write(unit, config, result);
        return result;
    }

    /// <summary>Per α: the seed summaries of the single net's, the average's and the random twin's test accuracy and of the median margin.</summary>
    public static IReadOnlyList<(double Alpha, SeedSummary Single, SeedSummary Average, SeedSummary Random, SeedSummary Margin, double Interpolating)>
        Summarise(IReadOnlyList<MarginUnitResult> units) =>
        units.GroupBy(u => u.Alpha).OrderBy(g => g.Key).Select(g => (g.Key, SeedSummary.Of(g.Select(u => u.TestAccuracy)),
            SeedSummary.Of(g.Select(u => u.AverageTestAccuracy)), SeedSummary.Of(g.Select(u => u.RandomTestAccuracy)),
            SeedSummary.Of(g.Select(u => u.MarginMedian)), g.Average(u => u.Interpolates ? 1.0 : 0.0))).ToList();

    private static double[] Accuracy(Tensor predictions, Tensor labels)
    {
        using var correct = predictions.eq(labels.unsqueeze(0)).to_type(ScalarType.Float64).mean([1]);
        return correct.data<double>().ToArray();
    }
}
