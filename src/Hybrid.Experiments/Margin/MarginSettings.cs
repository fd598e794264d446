using System.Text.Json.Serialization;
using Hybrid.Experiments.Fitting;

namespace Hybrid.Experiments.Margin;

/// <summary>
/// Everything <c>hybrid margin</c> needs to be repeated (config.json): the α grid, the data, the
/// MLP and its schedule, the averaged ensembles, the random-label twin and the seeds. Every value
/// is checked by <see cref="Validate"/> before any work starts.
/// </summary>
/// <param name="Alphas">Target scales α (targets α·y or α·onehot); the normalised margin is ∝ α.</param>
/// <param name="Data">mnist (default), fashion-mnist, teacher, mixture or an MNIST-format folder.</param>
/// <param name="Task">odd-even (default; one output, targets ±α) or "none" (the data's classes, one-hot targets).</param>
/// <param name="TrainSize">Training examples n (the authors: 1000).</param>
/// <param name="TestSize">Test examples (a fixed random subset), or null for the whole test set.</param>
/// <param name="Depth">Hidden layers (the authors' Fig. 6 net, depth 5, has 4).</param>
/// <param name="Width">Units per hidden layer (the authors: 2048).</param>
/// <param name="Steps">Full-batch Nero steps (the authors: 500).</param>
/// <param name="Lr">Nero's initial learning rate.</param>
/// <param name="Decay">Learning-rate factor per step; null: 0.99^(500/Steps), the authors' final rate (<see cref="FitSchedule.AuthorsDecay"/>).</param>
/// <param name="AverageK">Networks averaged (their outputs summed) at each α of <paramref name="AverageAlphas"/>.</param>
/// <param name="AverageAlphas">The α values with a k-net average (each must be in <paramref name="Alphas"/>).</param>
/// <param name="RandomLabels">Whether each α also trains a twin on uniformly random training labels.</param>
/// <param name="Seeds">Seeds (training subset, initialisations, random labels).</param>
/// <param name="Seed">The first seed; the units use Seed … Seed + Seeds − 1.</param>
public sealed record MarginSettings(
    double[] Alphas, double[] AverageAlphas, string Data = "mnist", string Task = "odd-even", int TrainSize = 500,
    int? TestSize = null, int Depth = 4, int Width = 128, int Steps = 300, double Lr = 0.01, double? Decay = null,
    int AverageK = 4, bool RandomLabels = true, int Seeds = 2, long Seed = 0) : IFitSettings<MarginSettings>
{
    /// <summary>The default α grid: half decades from 1e-3 to 10.</summary>
    public static readonly double[] DefaultAlphas = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10];

    /// <summary>The default α values with a k-net average.</summary>
    public static readonly double[] DefaultAverageAlphas = [1e-3, 1e-2, 0.1, 1];

    /// <summary>The default settings.</summary>
    public static MarginSettings Default => new(DefaultAlphas, DefaultAverageAlphas);

    /// <summary>
    /// The <c>--quick</c> settings (under a minute on 2 cores): n = 100, 2 000 test points, a width-64
    /// depth-2 net, 200 steps, α ∈ {1e-3, 1e-2, 0.1, 1, 10}, 4-net averages at 1e-3 and 0.1.
    /// </summary>
    public static MarginSettings Quick => new([1e-3, 1e-2, 0.1, 1, 10], [1e-3, 0.1], TrainSize: 100, TestSize: 2000,
        Depth: 2, Width: 64, Steps: 200, AverageK: 4);

    /// <inheritdoc />
    [JsonIgnore]
    public FitShape Fit => new(Data, Task, TestSize, Depth, Width, Steps, Lr, Decay, Seeds, Seed);

    /// <inheritdoc />
    public MarginSettings WithFit(FitShape f) => this with
    {
        Data = f.Data, Task = f.Task, TestSize = f.TestSize, Depth = f.Depth, Width = f.Width, Steps = f.Steps, Lr = f.Lr, Decay = f.Decay,
        Seeds = f.Seeds, Seed = f.Seed,
    };

    /// <summary>Networks averaged at <paramref name="alpha"/> (1: no average).</summary>
    public int AverageAt(double alpha) => AverageAlphas.Contains(alpha) ? AverageK : 1;

    /// <summary>Checks every value; the message names the option and what is valid.</summary>
    public void Validate()
    {
        if (Alphas is null || Alphas.Length == 0) throw new ArgumentException("--alphas needs at least one α.", "alphas");
        foreach (double a in Alphas)
            if (!(a > 0) || !double.IsFinite(a)) throw new ArgumentException($"--alphas {a} must be finite and > 0.", "alphas");
        if (Alphas.Distinct().Count() != Alphas.Length) throw new ArgumentException($"--alphas lists a value twice: {string.Join(",", Alphas)}.", "alphas");
        foreach (double a in AverageAlphas ?? [])
            if (!Alphas.Contains(a)) throw new ArgumentException($"--average-alphas {a} is not one of --alphas.", "average-alphas");
        if (AverageK < 1) throw new ArgumentException($"--average-k {AverageK} must be >= 1.", "average-k");
        if (TrainSize < 1) throw new ArgumentException($"--train-size {TrainSize} must be >= 1.", "train-size");
        Fit.Validate(TrainSize, binary: false, "train-size");
    }
}
