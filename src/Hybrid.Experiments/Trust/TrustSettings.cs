using System.Globalization;
using System.Text.Json.Serialization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Trust;

/// <summary>
/// One measurement of deep relative trust (one folder under bound/): a bias-free ReLU MLP of
/// <paramref name="Layers"/> weight matrices at its seeded initialisation, perturbed in every layer
/// by a relative size ε in each direction, evaluated on <paramref name="Examples"/> training inputs.
/// </summary>
/// <param name="Layers">Weight matrices L (hidden layers L − 1), ≥ 1.</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Epsilons">Relative perturbation sizes ‖ΔW_k‖_F / ‖W_k‖_F, each &gt; 0.</param>
/// <param name="Directions">radial (ΔW_k ∝ W_k), random (Gaussian) and/or gradient (−∇_k of the loss on the examples).</param>
/// <param name="Examples">Training inputs f is evaluated on (the first ones of the data's training split).</param>
/// <param name="Seed">Seed of the weights and of the random direction.</param>
/// <param name="Data">The data.</param>
public sealed record BoundPoint(int Layers, int Width, double[] Epsilons, string[] Directions, int Examples, long Seed, DataSpec Data)
{
    /// <summary>The folder name ("L08-s1").</summary>
    [JsonIgnore]
    public string Key => string.Create(CultureInfo.InvariantCulture, $"L{Layers:D2}-s{Seed}");
}

/// <summary>
/// One curvature-slice run (one folder under slices/): train a net, and at checkpoints move every
/// parameter tensor along its normalised full-batch gradient by fixed relative amounts, recording
/// the loss and the relative change of the first layer's gradient (jxbz/fromage
/// <c>classify-mnist/curvature.ipynb</c>).
/// </summary>
/// <param name="Net">mlp or residual-mlp.</param>
/// <param name="Layers">Weight layers L (hidden layers L − 1; the authors' "2 layer" and "16 layer" nets).</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Optimizer">Trains the net (the authors: fromage 0.01).</param>
/// <param name="Lr">Its learning rate.</param>
/// <param name="LrDecay">Per-epoch factor (the authors: 0.9).</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Examples per batch (the authors: 250).</param>
/// <param name="Checkpoints">Where slices are taken, in epochs (0 = the initialisation; fractions are rounded to steps).</param>
/// <param name="Moves">Relative moves t (each parameter tensor W → W − t·‖W‖·G/‖G‖), each &gt; 0; t = 0 is always the reference.</param>
/// <param name="SliceExamples">Training examples of the "full batch" gradient and loss of a slice.</param>
/// <param name="Seed">Seed of the weights and the batch order.</param>
/// <param name="Data">The training data.</param>
public sealed record SlicePoint(string Net, int Layers, int Width, string Optimizer, double Lr, double LrDecay, int Epochs,
    int BatchSize, double[] Checkpoints, double[] Moves, int SliceExamples, long Seed, DataSpec Data)
{
    /// <summary>The folder name ("residual-mlp-16-s0").</summary>
    [JsonIgnore]
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Net}-{Layers}-s{Seed}");

    /// <summary>"16-layer residual MLP".</summary>
    [JsonIgnore]
    public string Title => $"{Layers}-layer {(Net == "mlp" ? "MLP" : "residual MLP")}";
}

/// <summary>The curvature-slice part of <c>hybrid trust</c>.</summary>
/// <param name="Nets">Nets as kind-layers: "mlp-2", "mlp-16", "residual-mlp-16" (empty: no slices).</param>
/// <param name="Width">Units per hidden layer (the authors: 784).</param>
/// <param name="Optimizer">Trains the nets.</param>
/// <param name="Lr">Its learning rate.</param>
/// <param name="LrDecay">Per-epoch factor.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Checkpoints">Where slices are taken, in epochs.</param>
/// <param name="Moves">Relative moves t.</param>
/// <param name="SliceExamples">Examples of a slice's full-batch gradient and loss.</param>
/// <param name="Seeds">Runs per net, seeds 0…Seeds−1.</param>
/// <param name="Data">Training data of the nets.</param>
public sealed record SliceSettings(string[] Nets, int Width, string Optimizer, double Lr, double LrDecay, int Epochs, int BatchSize,
    double[] Checkpoints, double[] Moves, int SliceExamples, int Seeds, DataSpec Data)
{
    /// <summary>Parses "mlp-16" or "residual-mlp-16" into (kind, layers).</summary>
    public static (string Kind, int Layers) ParseNet(string net)
    {
        int dash = net.LastIndexOf('-');
        if (dash > 0 && TrainingPoint.ModelNames.Contains(net[..dash]) &&
            int.TryParse(net[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int layers))
        {
            if (layers < 1) throw new ArgumentException($"--slice-nets '{net}': the depth must be >= 1 (weight layers).", "slice-nets");
            return (net[..dash], layers);
        }
        throw new ArgumentException($"--slice-nets '{net}' must be kind-layers with kind one of {string.Join(", ", TrainingPoint.ModelNames)}, e.g. mlp-16.", "slice-nets");
    }

    /// <summary>Every slice run: seed by seed (<paramref name="firstSeed"/>, +1, …), net by net.</summary>
    public IReadOnlyList<SlicePoint> PointsFrom(long firstSeed) =>
        (from i in Enumerable.Range(0, Seeds)
         let seed = firstSeed + i
         from net in Nets
         let p = ParseNet(net)
         select new SlicePoint(p.Kind, p.Layers, Width, Optimizer, Lr, LrDecay, Epochs, BatchSize, Checkpoints, Moves, SliceExamples, seed, Data)).ToList();

    /// <summary>Checks every value; the message names the option.</summary>
    public void Validate()
    {
        if (Nets.Length == 0) return;
        if (Nets.Distinct().Count() != Nets.Length) throw new ArgumentException($"--slice-nets lists a net twice: {string.Join(",", Nets)}.", "slice-nets");
        foreach (var n in Nets) ParseNet(n);
        if (Width < 1) throw new ArgumentException($"--slice-width {Width} must be >= 1.", "slice-width");
        OptimizerCatalog.Validate(new OptimizerSpec(Optimizer, Lr));
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new ArgumentException($"slice lr decay {LrDecay} must be in (0, 1].", "slice-lr-decay");
        if (Epochs < 1) throw new ArgumentException($"--slice-epochs {Epochs} must be >= 1.", "slice-epochs");
        if (BatchSize < 1) throw new ArgumentException($"slice batch size {BatchSize} must be >= 1.", "slice-batch-size");
        Values.RequireNonEmptyDistinct(Checkpoints, "slice-checkpoints");
        foreach (var c in Checkpoints)
            if (!(c >= 0 && c <= Epochs)) throw new ArgumentException($"--slice-checkpoints {c} must lie in [0, {Epochs}] epochs.", "slice-checkpoints");
        Values.RequireNonEmptyDistinct(Moves, "slice-moves");
        foreach (var m in Moves)
            if (!(m > 0 && double.IsFinite(m))) throw new ArgumentException($"--slice-moves {m} must be > 0.", "slice-moves");
        if (SliceExamples < 1) throw new ArgumentException($"--slice-examples {SliceExamples} must be >= 1.", "slice-examples");
        if (Seeds < 1) throw new ArgumentException($"--slice-seeds {Seeds} must be >= 1.", "slice-seeds");
        Data.Validate();
    }
}

/// <summary>
/// <c>hybrid trust</c> (config.json): deep relative trust measured on bias-free ReLU MLPs of each
/// depth, and the curvature slices of a shallow, a deep and a residual net.
/// </summary>
/// <param name="Depths">Weight layers L of the measured nets (each ≥ 1).</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Epsilons">Relative perturbation sizes (each &gt; 0).</param>
/// <param name="Directions">Perturbation directions: radial, random, gradient.</param>
/// <param name="Examples">Inputs f is evaluated on.</param>
/// <param name="Seeds">Nets per depth (and slice runs per net: <see cref="SliceSettings.Seeds"/>), seeds Seed…Seed+Seeds−1.</param>
/// <param name="Data">The inputs' data set.</param>
/// <param name="Slices">The curvature slices.</param>
/// <param name="Seed">The first seed of the measured nets and of the slice runs (0 unless a sweep sets it: a sweep's seed
/// axis runs one seed per run).</param>
public sealed record TrustSettings(int[] Depths, int Width, double[] Epsilons, string[] Directions, int Examples, int Seeds,
    DataSpec Data, SliceSettings Slices, long Seed = 0)
{
    /// <summary>Valid directions.</summary>
    public static readonly IReadOnlyList<string> DirectionNames = ["radial", "random", "gradient"];

    /// <summary>The default run (sized for about ten minutes on two cores; see docs/part2.md).</summary>
    public static TrustSettings Default => new([2, 4, 8, 16, 32], 256, [1e-3, 3e-3, 1e-2, 3e-2, 1e-1], ["radial", "random", "gradient"], 256, 3,
        DefaultData,
        new SliceSettings(["mlp-2", "mlp-16", "residual-mlp-16"], 256, "fromage", 0.01, 0.9, 5, 250, [0, 0.1, 0.5, 1, 2, 5],
            [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1], 2000, 3, DefaultData));

    private static readonly DataSpec DefaultData = new(TrainSize: 20_000, TestSize: 1000), QuickData = new(TrainSize: 1000, TestSize: 200);

    /// <summary>The <c>--quick</c> run (well under a minute; what the tests run).</summary>
    public static TrustSettings Quick => Default with
    {
        Depths = [2, 4], Width = 32, Epsilons = [1e-3, 1e-2, 1e-1], Examples = 64, Seeds = 2, Data = QuickData,
        Slices = Default.Slices with
        {
            Nets = ["mlp-2", "mlp-4", "residual-mlp-4"], Width = 32, Epochs = 1, Checkpoints = [0, 1], Moves = [0.01, 0.1], SliceExamples = 256, Seeds = 1,
            Data = QuickData,
        },
    };

    /// <summary>Every bound measurement: seed by seed (Seed, Seed + 1, …), depth by depth.</summary>
    [JsonIgnore]
    public IReadOnlyList<BoundPoint> BoundPoints =>
        (from i in Enumerable.Range(0, Seeds) from l in Depths select new BoundPoint(l, Width, Epsilons, Directions, Examples, Seed + i, Data)).ToList();

    /// <summary>Every curvature-slice run, from the first seed <see cref="Seed"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<SlicePoint> SlicePoints => Slices.PointsFrom(Seed);

    /// <summary>Checks every value before any work; the message names the option.</summary>
    public void Validate()
    {
        Values.RequireNonEmptyDistinct(Depths, "depths");
        foreach (var d in Depths) if (d < 1) throw new ArgumentException($"--depths {d}: a depth must be >= 1 (weight layers).", "depths");
        if (Width < 1) throw new ArgumentException($"--width {Width} must be >= 1.", "width");
        Values.RequireNonEmptyDistinct(Epsilons, "epsilons");
        foreach (var e in Epsilons)
            if (!(e > 0 && double.IsFinite(e))) throw new ArgumentException($"--epsilons {e}: every ε must be > 0.", "epsilons");
        Values.RequireNonEmptyDistinct(Directions, "directions");
        foreach (var d in Directions)
            if (!DirectionNames.Contains(d)) throw new ArgumentException($"--directions '{d}' is unknown; valid: {string.Join(", ", DirectionNames)}.", "directions");
        if (Examples < 1) throw new ArgumentException($"--examples {Examples} must be >= 1.", "examples");
        if (Seeds < 1) throw new ArgumentException($"--seeds {Seeds} must be >= 1.", "seeds");
        if (Seed < 0) throw new ArgumentException($"seed {Seed} must be >= 0.", "seed");
        Data.Validate();
        Slices.Validate();
    }
}
