using System.Collections.Concurrent;
using System.Globalization;
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
    public static readonly Experiment<Toy> Experiment = new()
    {
        Name = "toy",
        Description = "a toy for the sweep tests",
        DefaultSettings = new Toy(),
        Check = s =>
        {
            if (s.Epochs < 1) throw new ArgumentException($"--epochs {s.Epochs} must be >= 1.", "epochs");
        },
        Estimate = s => s.Epochs * 1e6,
        Headlines = _ => [new("value", true)],
        Execute = Run,
    };

    /// <summary>The experiments the toy sweeps may name.</summary>
    public static readonly IReadOnlyList<IExperiment> Registry = [Experiment, .. ExperimentRegistry.All];

    private static ExperimentOutcome Run(Toy s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        Starts.AddOrUpdate(folder.Path, 1, (_, n) => n + 1);
        if (s.X == s.FailAt) throw new InvalidDataException($"toy failure at x={s.X}");
        var progress = folder.File("progress.txt");
        int done = File.Exists(progress) ? File.ReadAllLines(progress).Length : 0;
        for (int epoch = done + 1; epoch <= s.Epochs; ++epoch)
        {
            if (cancel.IsCancellationRequested)
                return new ExperimentOutcome(ExperimentOutcome.Cancelled, "cancelled", new Dictionary<string, double>(), new Dictionary<string, double>());
            if (s.SleepMs > 0) Thread.Sleep(s.SleepMs);
            File.AppendAllText(progress, epoch.ToString(CultureInfo.InvariantCulture) + "\n");
            AfterEpoch?.Invoke(epoch);
        }
        string status = s.X == s.DivergeAt && s.Seed == 0 ? ExperimentOutcome.Diverged : ExperimentOutcome.Completed;
        return new ExperimentOutcome(status, "toy", new Dictionary<string, double> { ["value"] = s.Value, ["x_squared"] = s.X * s.X },
            new Dictionary<string, double> { ["toy_seconds"] = 0.001 });
    }
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
