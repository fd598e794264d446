using System.Text.Json.Serialization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;

namespace Hybrid.Experiments.Depth;

/// <summary>
/// <c>hybrid depth</c> (config.json): which optimisers train how deep. MLPs with biases at each
/// depth, every optimiser over decades of learning rate around its published default, every
/// point a <see cref="TrainingPoint"/> run for each seed; the metric is the final epoch's
/// training accuracy at the best learning rate (jxbz/fromage <c>make-plots/logs/mnist-depth</c>).
/// </summary>
/// <param name="Optimizers">Optimiser names (catalog names).</param>
/// <param name="LrSpan">Decades each side of an optimiser's default: 1 gives default·{10, 1, 0.1} (the authors' grids for SGD 0.1, Adam 1e-3, Fromage 0.01).</param>
/// <param name="Depths">Hidden layers (each ≥ 1).</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Epochs">Epochs per run (the horizon).</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="LrDecay">Per-epoch learning-rate factor (the authors: 0.95).</param>
/// <param name="Seeds">Runs per point, seeds Seed…Seed+Seeds−1.</param>
/// <param name="Data">The data.</param>
/// <param name="Threshold">A depth counts as trainable when the best learning rate's mean final-epoch training accuracy reaches this.</param>
/// <param name="Seed">The first seed (0 unless a sweep sets it: a sweep's seed axis runs one seed per run).</param>
/// <param name="Model">mlp (the authors') or residual-mlp.</param>
public sealed record DepthSettings(
    string[] Optimizers, int LrSpan, int[] Depths, int Width, int Epochs, int BatchSize, double LrDecay, int Seeds,
    DataSpec Data, double Threshold, string Model = "mlp", long Seed = 0)
{
    /// <summary>The optimisers of the default run.</summary>
    public static readonly string[] DefaultOptimizers = ["sgd", "adam", "fromage", "nero", "madam"];

    /// <summary>The default run (sized for about ten minutes on two cores; see docs/part2.md).</summary>
    public static DepthSettings Default => new(DefaultOptimizers, 1, [1, 2, 4, 8, 16, 32], 64, 6, 250, 0.95, 3,
        new DataSpec(TrainSize: 10_000, TestSize: 1000), 0.8);

    /// <summary>The <c>--quick</c> run (well under a minute; what the tests run).</summary>
    public static DepthSettings Quick => Default with
    {
        Optimizers = ["sgd", "adam", "fromage"], LrSpan = 0, Depths = [1, 4], Width = 32, Epochs = 2, BatchSize = 100, Seeds = 1,
        Data = new DataSpec(TrainSize: 2000, TestSize: 200),
    };

    /// <summary>The learning rates of <paramref name="optimizer"/>.</summary>
    public double[] Lrs(string optimizer) => LearningRates.Around(optimizer, LrSpan);

    /// <summary>Every point: seed by seed (Seed, Seed + 1, …), depth by depth, then optimiser and learning rate.</summary>
    [JsonIgnore]
    public IReadOnlyList<TrainingPoint> Points =>
        (from i in Enumerable.Range(0, Seeds)
         let seed = Seed + i
         from depth in Depths
         from opt in Optimizers
         from lr in Lrs(opt)
         select new TrainingPoint(Model, depth, Width, true, opt, lr, Epochs, BatchSize, LrDecay, seed, Data)).ToList();

    /// <summary>Checks every value before any work; the message names the option.</summary>
    public void Validate()
    {
        LearningRates.RequireOptimizers(Optimizers);
        if (LrSpan is < 0 or > 4) throw new ArgumentException($"--lr-span {LrSpan} must be 0…4 decades.", "lr-span");
        Values.RequireNonEmptyDistinct(Depths, "depths");
        foreach (var d in Depths)
            if (d < 1) throw new ArgumentException($"--depths {d}: a depth must be >= 1 (hidden layers).", "depths");
        if (Seeds < 1) throw new ArgumentException($"--seeds {Seeds} must be >= 1.", "seeds");
        if (!(Threshold > 0 && Threshold <= 1)) throw new ArgumentException($"--threshold {Threshold} must be in (0, 1].", "threshold");
        foreach (var p in Points) p.Validate();
    }
}
