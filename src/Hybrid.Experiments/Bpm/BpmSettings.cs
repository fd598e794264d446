using System.Text.Json.Serialization;
using Hybrid.Experiments.Fitting;

namespace Hybrid.Experiments.Bpm;

/// <summary>
/// Everything <c>hybrid bpm</c> needs to be repeated (config.json): the training sizes, the data,
/// the MLP and its schedule, the ensembles, the bounds' parameters and the seeds. Every value is
/// checked by <see cref="Validate"/> before any work starts.
/// </summary>
/// <param name="TrainSizes">The n grid (the authors: 50, 100, …, 1000).</param>
/// <param name="Data">mnist (default), fashion-mnist, teacher, mixture or an MNIST-format folder.</param>
/// <param name="Task">A binary <c>--task</c> (odd-even) or "none" when the data is already binary.</param>
/// <param name="TestSize">Test examples (a fixed random subset), or null for the whole test set.</param>
/// <param name="Depth">Hidden layers (the authors' depth-7 net has 6); the kernel applies one arc-cos step per hidden layer.</param>
/// <param name="Width">Units per hidden layer (the authors: 1000).</param>
/// <param name="Steps">Full-batch Nero steps per network (the authors: 500).</param>
/// <param name="Lr">Nero's initial learning rate.</param>
/// <param name="Decay">Learning-rate factor per step; null: 0.99^(500/Steps), the authors' final rate (<see cref="FitSchedule.AuthorsDecay"/>).</param>
/// <param name="NnVoters">Small-margin networks in the ensemble (the authors: 501; odd, so a vote never ties).</param>
/// <param name="LargeMargin">The large-margin network's target scale α (the authors: 100).</param>
/// <param name="GpVoters">GP posterior draws (≥ 10⁴; the authors: 10⁵).</param>
/// <param name="BoundSamples">Importance samples for the Monte-Carlo estimate of ln 1/P (0: analytic bound only).</param>
/// <param name="Delta">The PAC-Bayes confidence δ.</param>
/// <param name="Seeds">Seeds per n (each a different training subset, initialisation and draw).</param>
/// <param name="Seed">The first seed; the units use Seed … Seed + Seeds − 1.</param>
public sealed record BpmSettings(
    int[] TrainSizes, string Data = "mnist", string Task = "odd-even", int? TestSize = null,
    int Depth = 6, int Width = 128, int Steps = 300, double Lr = 0.01, double? Decay = null,
    int NnVoters = 15, double LargeMargin = 100, int GpVoters = 10_001, int BoundSamples = 10_000,
    double Delta = 0.01, int Seeds = 2, long Seed = 0) : IFitSettings<BpmSettings>
{
    /// <summary>The default n grid (the authors' runs go to 1000; see docs/part1.md for the time each takes).</summary>
    public static readonly int[] DefaultTrainSizes = [50, 100, 200, 500];

    /// <summary>The default settings.</summary>
    public static BpmSettings Default => new(DefaultTrainSizes);

    /// <summary>
    /// The <c>--quick</c> settings (under a minute on 2 cores): n = 50, 2 000 test points, a width-64
    /// depth-2 net, 100 steps, 5 networks in the ensemble; the GP side keeps 10⁴ draws.
    /// </summary>
    public static BpmSettings Quick => new([50], TestSize: 2000, Depth: 2, Width: 64, Steps: 100, NnVoters: 5);

    /// <inheritdoc />
    [JsonIgnore]
    public FitShape Fit => new(Data, Task, TestSize, Depth, Width, Steps, Lr, Decay, Seeds, Seed);

    /// <inheritdoc />
    public BpmSettings WithFit(FitShape f) => this with
    {
        Data = f.Data, Task = f.Task, TestSize = f.TestSize, Depth = f.Depth, Width = f.Width, Steps = f.Steps, Lr = f.Lr, Decay = f.Decay,
        Seeds = f.Seeds, Seed = f.Seed,
    };

    /// <summary>Checks every value; the message names the option and what is valid.</summary>
    public void Validate()
    {
        if (TrainSizes is null || TrainSizes.Length == 0) throw new ArgumentException("--n needs at least one training size.", "n");
        foreach (int n in TrainSizes)
            if (n < 2) throw new ArgumentException($"--n {n} must be >= 2 (the bound divides by n − 1).", "n");
        if (TrainSizes.Distinct().Count() != TrainSizes.Length) throw new ArgumentException($"--n lists a size twice: {string.Join(",", TrainSizes)}.", "n");
        Fit.Validate(TrainSizes.Max(), binary: true, "n");
        if (NnVoters < 1) throw new ArgumentException($"--voters {NnVoters} must be >= 1.", "voters");
        if (!(LargeMargin > 0) || !double.IsFinite(LargeMargin)) throw new ArgumentException($"--large-margin {LargeMargin} must be finite and > 0.", "large-margin");
        if (GpVoters < 1) throw new ArgumentException($"--gp-voters {GpVoters} must be >= 1.", "gp-voters");
        if (BoundSamples is < 0 or 1) throw new ArgumentException($"--bound-samples {BoundSamples} must be 0 (analytic only) or >= 2.", "bound-samples");
        if (!(Delta > 0 && Delta < 1)) throw new ArgumentException($"--delta {Delta} must be in (0, 1).", "delta");
    }
}
