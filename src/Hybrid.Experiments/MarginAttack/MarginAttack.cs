using System.Globalization;
using Hybrid.Experiments.Fitting;
using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.MarginAttack;

/// <summary>
/// "Where margin fails" (SCIENCE.md Part I; alexfarhang/margin): a network fitted to
/// <paramref name="Clean"/> correctly labelled + <paramref name="Random"/> uniformly-random-labelled
/// points, against its clean twin fitted to the same <paramref name="Clean"/> points alone, both by
/// the control recipe (<see cref="MarginFit"/>) at each α; test accuracy on true labels over seeds.
/// </summary>
/// <param name="Alphas">Target scales α.</param>
/// <param name="Clean">Correctly labelled training points (the authors: 500).</param>
/// <param name="Random">Random-label training points (the authors: 1500).</param>
/// <param name="Data">mnist (default) or another data name.</param>
/// <param name="Task">"none" (default: the 10 classes) or a binary task (odd-even).</param>
/// <param name="TestSize">Test examples (fixed subset), or null for all.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Steps">Full-batch Nero steps.</param>
/// <param name="Lr">Nero's initial learning rate.</param>
/// <param name="Seeds">Seeds (subset, initialisation, random labels).</param>
/// <param name="Seed">First seed.</param>
public sealed record MarginAttackSettings(double[] Alphas, int Clean = 500, int Random = 1500, string Data = "mnist", string Task = "none",
    int? TestSize = null, int Depth = 4, int Width = 256, int Steps = 300, double Lr = 0.01, int Seeds = 3, long Seed = 0)
{
    /// <summary>The protocol's sizes, α over decades 1e-2 … 10.</summary>
    public static MarginAttackSettings Defaults => new([1e-2, 1e-1, 1, 10]);

    /// <summary>A quick look: 100 clean + 300 random, 2 000 test points, width 64, depth 2, 200 steps, 3 seeds.</summary>
    public static MarginAttackSettings Quick => new([1e-2, 1, 10], Clean: 100, Random: 300, TestSize: 2000, Depth: 2, Width: 64, Steps: 200);

    /// <summary>The schedule (decay 0.99^(500/Steps)).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public FitSchedule Schedule => new(Steps, Lr, FitSchedule.AuthorsDecay(Steps));

    /// <summary>The task for the data layer (null for "none").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? TaskOrNull => Task.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Task;

    /// <summary>Checks every value; the message names the option.</summary>
    public void Validate()
    {
        if (Alphas is null || Alphas.Length == 0 || Alphas.Any(a => !(a > 0) || !double.IsFinite(a)))
            throw new ArgumentException("--alphas needs finite values > 0.", "alphas");
        if (Clean < 1) throw new ArgumentException($"--clean {Clean} must be >= 1.", "clean");
        if (Random < 0) throw new ArgumentException($"--random {Random} must be >= 0.", "random");
        if (Seeds < 1) throw new ArgumentException($"--seeds {Seeds} must be >= 1.", "seeds");
        PartOneChecks.DataAndTask(Data, TaskOrNull, Clean + Random, TestSize, binary: false, "clean");
        PartOneChecks.Network(Depth, Width);
        Schedule.Validate();
    }
}

/// <summary>One (seed, α): test accuracies (true labels) of the attacked net and its clean twin.</summary>
public sealed record MarginAttackRow(long Seed, double Alpha, double AttackedTrain, double AttackedTest, double CleanTrain, double CleanTest,
    double AttackedMarginMedian, double CleanMarginMedian);

/// <summary>The run: rows and per-α summaries over seeds.</summary>
public sealed record MarginAttackResult(IReadOnlyList<MarginAttackRow> Rows,
    IReadOnlyList<(double Alpha, SeedSummary Attacked, SeedSummary Clean, bool Disjoint)> Summary);

/// <summary>The data construction of the attack (pure, seeded).</summary>
public static class MarginAttackData
{
    /// <summary>
    /// Labels of the attacked training set: the first <paramref name="clean"/> of
    /// <paramref name="trueLabels"/> kept, the next <paramref name="random"/> replaced by uniform draws
    /// over <paramref name="classes"/> from <paramref name="seed"/> (some coincide with the true label by chance, as in a random-label set).
    /// </summary>
    public static Tensor AttackedLabels(Tensor trueLabels, int clean, int random, int classes, long seed)
    {
        if (trueLabels.shape[0] != clean + random)
            throw new ArgumentException($"need {clean} + {random} labels, got {trueLabels.shape[0]}.", nameof(trueLabels));
        using var head = trueLabels.narrow(0, 0, clean);
        using var tail = torch.randint(0, classes, [random], dtype: ScalarType.Int64, generator: new torch.Generator(unchecked((ulong)seed)));
        return torch.cat([head, tail]);
    }
}

/// <summary>Runs the margin attack; writes results.csv, report.md and plot.png (atomically, via <see cref="RunFolder"/>).</summary>
public static class MarginAttackRun
{
    /// <summary>Runs every seed (one fit of |α| attacked members and one of |α| clean members each).</summary>
    public static MarginAttackResult Execute(MarginAttackSettings s, string folder, IProgress<string>? progress = null)
    {
        s.Validate();
        TorchRuntime.EnsureAvailable();
        var run = new RunFolder(folder);
        var resolved = MarginProblem.LoadWhole(s.Data, s.TaskOrNull, s.Seed);
        using var whole = resolved.Data;
        var rows = new List<MarginAttackRow>();
        int k = s.Alphas.Length;
        for (long seed = s.Seed; seed < s.Seed + s.Seeds; ++seed)
        {
            using var attacked = MarginProblem.Subset(whole, s.Clean + s.Random, s.TestSize, seed);
            using var labels = MarginAttackData.AttackedLabels(attacked.TrainY, s.Clean, s.Random, attacked.Classes, UnitSeeds.Of(seed, "attack-labels"));
            // the twin: exactly the first Clean inputs (same preprocessing) and the same test set
            using var twin = new MarginProblem(attacked.TrainX.narrow(0, 0, s.Clean).contiguous(), attacked.TrainY.narrow(0, 0, s.Clean).contiguous(),
                attacked.TestX.alias(), attacked.TestY.alias(), attacked.Classes, attacked.Source + $"; clean twin: first {s.Clean}");
            var spec = ModelSpec.MarginMlp([attacked.D], attacked.Outputs, s.Depth, s.Width);
            var seeds = s.Alphas.Select((_, i) => UnitSeeds.Of(seed, "attack-init", i)).ToArray(); // same init for both nets at each α
            var a = FitAll(attacked, labels, spec, seeds, s, $"attack seed={seed}");
            var c = FitAll(twin, twin.TrainY, spec, seeds, s, $"clean twin seed={seed}");
            for (int i = 0; i < k; ++i)
            {
                var row = new MarginAttackRow(seed, s.Alphas[i], a.Train[i], a.Test[i], c.Train[i], c.Test[i], a.Margin[i], c.Margin[i]);
                rows.Add(row);
                progress?.Report(string.Create(CultureInfo.InvariantCulture,
                    $"seed {seed} α={row.Alpha:G3}: attacked test {100 * row.AttackedTest:F2}% (train {100 * row.AttackedTrain:F1}%), clean twin {100 * row.CleanTest:F2}% (train {100 * row.CleanTrain:F1}%)"));
            }
        }
        var summary = rows.GroupBy(r => r.Alpha).OrderBy(g => g.Key).Select(g =>
        {
            var at = SeedSummary.Of(g.Select(r => r.AttackedTest));
            var cl = SeedSummary.Of(g.Select(r => r.CleanTest));
            return (g.Key, at, cl, cl.Low > at.High);
        }).ToList();
        var result = new MarginAttackResult(rows, summary);
        Write(run, s, result, resolved.Data.Source);
        return result;
    }

    private static (double[] Train, double[] Test, double[] Margin) FitAll(MarginProblem p, Tensor labels, ModelSpec spec, long[] seeds,
        MarginAttackSettings s, string name)
    {
        using var targets = torch.stack(s.Alphas.Select(alpha => p.Targets(labels, alpha)).ToArray());
        using var fit = MarginFit.Fit(p, spec, seeds, targets, s.Schedule, SilentObserver.Instance, name);
        using var trainPred = MarginFit.Predictions(fit.TrainOutputs);
        using var testPred = MarginFit.Predictions(fit.TestOutputs);
        using var margins = MarginFit.NormalisedMargins(fit.TrainOutputs, labels, p.TrainX, fit.NormProducts);
        using var median = margins.quantile(0.5, 1);
        return (Accuracy(trainPred, labels), Accuracy(testPred, p.TestY), median.data<double>().ToArray());
    }

    private static double[] Accuracy(Tensor predictions, Tensor labels)
    {
        using var correct = predictions.eq(labels.unsqueeze(0)).to_type(ScalarType.Float64).mean([1]);
        return correct.data<double>().ToArray();
    }

    private static void Write(RunFolder run, MarginAttackSettings s, MarginAttackResult r, string source)
    {
        var inv = CultureInfo.InvariantCulture;
        run.WriteJson("config.json", s);
        run.WriteText("results.csv", "seed,alpha,attacked_train,attacked_test,clean_train,clean_test,attacked_margin_median,clean_margin_median\n" +
            string.Concat(r.Rows.Select(x => string.Create(inv,
                $"{x.Seed},{x.Alpha:R},{x.AttackedTrain:R},{x.AttackedTest:R},{x.CleanTrain:R},{x.CleanTest:R},{x.AttackedMarginMedian:R},{x.CleanMarginMedian:R}\n"))));
        var md = new System.Text.StringBuilder();
        md.AppendLine("# Margin attack: where margin fails").AppendLine()
          .AppendLine(string.Create(inv, $"{source}. Attacked: {s.Clean} clean + {s.Random} random-label points; clean twin: the same {s.Clean} points alone. Depth {s.Depth}, width {s.Width}, {s.Steps} Nero steps, {s.Seeds} seeds; test accuracy on true labels, mean ± 95 % interval over seeds.")).AppendLine()
          .AppendLine("| α | attacked test % | clean twin test % | twin better, intervals disjoint |").AppendLine("|---|---|---|---|");
        foreach (var (alpha, at, cl, disjoint) in r.Summary)
            md.AppendLine(string.Create(inv, $"| {alpha:G3} | {at.Format("F2", 100)} | {cl.Format("F2", 100)} | {(disjoint ? "yes" : "no")} |"));
        md.AppendLine().AppendLine(r.Summary.All(x => x.Disjoint)
            ? "The clean twin generalises better at every α, with disjoint intervals."
            : "The clean twin is NOT better with disjoint intervals at every α: see the rows marked no.");
        run.WriteText("report.md", md.ToString());
        var x = r.Summary.Select(q => q.Alpha).ToArray();
        run.WriteBytes("plot.png", SeriesPlot.Render("Margin attack", "α", "test accuracy", [
            new Series("attacked", x, r.Summary.Select(q => q.Attacked.Mean).ToArray(), r.Summary.Select(q => q.Attacked.HalfWidth).ToArray()),
            new Series("clean twin", x, r.Summary.Select(q => q.Clean.Mean).ToArray(), r.Summary.Select(q => q.Clean.HalfWidth).ToArray())], logX: true));
    }
}
