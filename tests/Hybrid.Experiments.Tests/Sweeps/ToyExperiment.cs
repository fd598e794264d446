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
