using System.Collections.Concurrent;
using System.Globalization;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>
/// Settings of a toy experiment for the runner and merge tests: no training, known numbers. Its
/// "value" metric over seeds 0, 1, 2 is X − Spread, X, X + Spread (mean X, sd Spread).
/// </summary>
public sealed record Toy(double X = 1, long Seed = 0, double Spread = 0.1, int Epochs = 2, double FailAt = double.NaN,
    double DivergeAt = double.NaN, int SleepMs = 0)
{
    /// <summary>The value the run reports.</summary>
    public double Value => X + Spread * (Seed % 3 - 1);
}

/// <summary>The toy experiment: "epochs" are lines in progress.txt (so it resumes), it counts every start per folder.</summary>
public static class ToyExperiment
{
    /// <summary>Starts per run folder, across every runner in this process.</summary>
    public static readonly ConcurrentDictionary<string, int> Starts = new();

    /// <summary>Called after each toy epoch (tests cancel from here).</summary>
    public static Action<int>? AfterEpoch { get; set; }

    /// <summary>The registry entry.</summary>
    public static readonly ToyPlugin Experiment = new();

    /// <summary>The experiments the toy sweeps may name.</summary>
    public static readonly IReadOnlyList<IExperiment> Registry = [Experiment, .. ExperimentRegistry.All];

    internal static ExperimentOutcome Run(Toy s, RunFolder folder, CancellationToken cancel)
    {
        Starts.AddOrUpdate(folder.Path, 1, (_, n) => n + 1);
        if (s.X == s.FailAt) throw new InvalidDataException($"toy failure at x={s.X}");
        var progress = folder.File("progress.txt");
        int done = File.Exists(progress) ? File.ReadAllLines(progress).Length : 0;
        for (int epoch = done + 1; epoch <= s.Epochs; ++epoch)
        {
            if (cancel.IsCancellationRequested) return ExperimentOutcome.Stopped("cancelled");
            if (s.SleepMs > 0) Thread.Sleep(s.SleepMs);
            File.AppendAllText(progress, epoch.ToString(CultureInfo.InvariantCulture) + "\n");
            AfterEpoch?.Invoke(epoch);
        }
        var status = s.X == s.DivergeAt && s.Seed == 0 ? RunStatus.Diverged : RunStatus.Completed;
        return new ExperimentOutcome(status, "toy", new Dictionary<string, double> { ["value"] = s.Value, ["x_squared"] = s.X * s.X },
            new Dictionary<string, double> { ["toy_seconds"] = 0.001 });
    }
}

/// <summary>The toy as a plug-in: no training, known numbers.</summary>
public sealed class ToyPlugin : Experiment<Toy, ExperimentOutcome>
{
    public override string Name => "toy";
    public override string Description => "a toy for the sweep tests";
    public override string ShortDescription => "a toy for the sweep tests";
    public override Toy Defaults => new();

    protected override IEnumerable<SettingOption<Toy>> DefineOptions(OptionBuilder<Toy> options) =>
        [options.Int("--epochs", "toy epochs", (s, v) => s with { Epochs = v })];

    public override void Validate(Toy s)
    {
        if (s.Epochs < 1) throw new ArgumentException($"--epochs {s.Epochs} must be >= 1.", "epochs");
    }

    public override double Cost(Toy s) => s.Epochs * 1e6;
    public override IReadOnlyList<HeadlineMetric> Headline(Toy s) => [new("value", true)];
    public override ExperimentOutcome Run(Toy s, ExperimentContext context)
    {
        context.Begin();
        return ToyExperiment.Run(s, context.Folder, context.Cancel);
    }

    public override ExperimentOutcome Outcome(Toy s, ExperimentOutcome result, RunFolder folder) => result;
}

/// <summary>Sweep tests over the toy experiment.</summary>
public abstract class ToySweepTestBase : SweepTestBase
{
    /// <summary>A toy sweep over x with seeds.</summary>
    protected static string ToySweep(string xs = "[1, 2, 1.9]", string seeds = "3", string extra = "") => $$"""
        { "name": "toy", "experiment": "toy", "base": { "spread": 0.1 {{extra}} }, "axes": { "x": {{xs}} }, "seeds": {{seeds}} }
        """;

    /// <summary>The toy sweep's plan.</summary>
    protected SweepPlan ToyPlan(string json, string? outFolder = null) =>
        SweepPlan.Expand(SweepDefinition.Parse(json, WriteSweep(json), outFolder ?? Out, ToyExperiment.Registry));

    [SetUp]
    public void ResetToy()
    {
        ToyExperiment.Starts.Clear();
        ToyExperiment.AfterEpoch = null;
    }
}

/// <summary>
/// Settings of a toy whose metrics are keyed by optimiser, as transfer's and depth's are: per optimiser
/// <c>&lt;opt&gt;.loss</c> (its base loss + Spread · (seed mod 3 − 1)) and <c>&lt;opt&gt;.width.shift</c>, and the
/// unkeyed <c>diverged_points</c>; <see cref="Plain"/> names more unkeyed metrics (value −1) to make names collide.
/// </summary>
public sealed record KeyedToy(string[] Optimizers, long Seed = 0, double Spread = 0.1, string[]? Plain = null)
{
    /// <summary>Each optimiser's loss at seed 1 (the mean over seeds 0, 1, 2).</summary>
    public static double BaseLoss(string optimizer) => optimizer switch { "sgd" => 1.0, "adam" => 2.0, "madam" => 1.1, _ => 3.0 };
}

/// <summary>The keyed toy as a plug-in: no training, known numbers, metric names keyed by optimiser.</summary>
public sealed class KeyedToyPlugin : Experiment<KeyedToy, ExperimentOutcome>
{
    /// <summary>The toy registry with this one added.</summary>
    public static readonly IReadOnlyList<IExperiment> Registry = [new KeyedToyPlugin(), .. ToyExperiment.Registry];

    public override string Name => "keyed-toy";
    public override string Description => "a toy with metrics keyed by optimiser, for the merge tests";
    public override string ShortDescription => Description;
    public override KeyedToy Defaults => new(["sgd"]);

    protected override IEnumerable<SettingOption<KeyedToy>> DefineOptions(OptionBuilder<KeyedToy> options) => [];

    public override void Validate(KeyedToy s)
    {
        if (s.Optimizers.Length == 0) throw new ArgumentException("no optimiser.", "optimizers");
    }

    public override double Cost(KeyedToy s) => s.Optimizers.Length * 1e6;

    public override IReadOnlyList<HeadlineMetric> Headline(KeyedToy s) =>
        [.. s.Optimizers.Select(o => new HeadlineMetric($"{o}.loss", false)), .. s.Optimizers.Select(o => new HeadlineMetric($"{o}.width.shift", false, ZeroIsBest: true))];

    public override IReadOnlyList<string> MetricKeys(KeyedToy s) => s.Optimizers;

    public override ExperimentOutcome Run(KeyedToy s, ExperimentContext context)
    {
        context.Begin();
        var metrics = new Dictionary<string, double> { ["diverged_points"] = 0 };
        foreach (var o in s.Optimizers)
        {
            metrics[$"{o}.loss"] = KeyedToy.BaseLoss(o) + s.Spread * (s.Seed % 3 - 1);
            metrics[$"{o}.width.shift"] = o == "sgd" ? 0 : 1;
        }
        foreach (var p in s.Plain ?? []) metrics[p] = -1;
        return new ExperimentOutcome(RunStatus.Completed, "keyed toy", metrics, new Dictionary<string, double>());
    }

    public override ExperimentOutcome Outcome(KeyedToy s, ExperimentOutcome result, RunFolder folder) => result;
}
