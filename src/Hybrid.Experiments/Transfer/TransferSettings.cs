using System.Text.Json.Serialization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;

namespace Hybrid.Experiments.Transfer;

/// <summary>
/// <c>hybrid transfer</c> (config.json): does the best learning rate stay put across width and
/// depth? Every optimiser over decades of learning rate around its published default, on MLPs
/// of several widths (at <see cref="BaseDepth"/>) and several depths (at <see cref="BaseWidth"/>) —
/// or, with <see cref="Grid"/> "product", every width at every depth. Each point is a
/// <see cref="TrainingPoint"/> run per seed; the metric is the final epoch's training loss.
/// </summary>
/// <param name="Optimizers">Optimiser names.</param>
/// <param name="LrSpan">Decades each side of an optimiser's default learning rate (2 gives five rates, default·10^{2…−2}).</param>
/// <param name="Widths">Widths of the width slice.</param>
/// <param name="Depths">Depths (hidden layers) of the depth slice.</param>
/// <param name="BaseWidth">The width of the depth slice (one of <see cref="Widths"/>).</param>
/// <param name="BaseDepth">The depth of the width slice (one of <see cref="Depths"/>).</param>
/// <param name="Grid">cross (the two slices) or product (every width × every depth).</param>
/// <param name="Epochs">Epochs per run.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="LrDecay">Per-epoch learning-rate factor.</param>
/// <param name="Seeds">Runs per point, seeds Seed…Seed+Seeds−1.</param>
/// <param name="Data">The data.</param>
/// <param name="Seed">The first seed (0 unless a sweep sets it: a sweep's seed axis runs one seed per run).</param>
/// <param name="Model">mlp or residual-mlp.</param>
/// <param name="Bits">The bits slice (<c>--bits</c>, e.g. 16,8,6): at (<see cref="BaseWidth"/>, <see cref="BaseDepth"/>) every optimiser
/// that takes LNS bits (<see cref="HardwareOptimizers"/>) at each bit width, in the order given; null: none (and config.json does not name it).</param>
/// <param name="C2cNoise">The c2c-noise slice (<c>--c2c-noise</c>, e.g. 0,0.1): as <paramref name="Bits"/>, at each cycle-to-cycle device step noise,
/// for every optimiser that takes it without further settings.</param>
public sealed record TransferSettings(
    string[] Optimizers, int LrSpan, int[] Widths, int[] Depths, int BaseWidth, int BaseDepth, string Grid,
    int Epochs, int BatchSize, double LrDecay, int Seeds, DataSpec Data, string Model = "mlp", long Seed = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? Bits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? C2cNoise = null)
{
    /// <summary>The hardware axes: their names (as the slices, metrics and options spell them).</summary>
    public static readonly IReadOnlyList<string> HardwareAxes = ["bits", "c2c-noise"];

    /// <summary>The values of a hardware axis ("bits" or "c2c-noise"), in the order given; empty when not asked for.</summary>
    public double[] HardwareValues(string axis) => axis switch
    {
        "bits" => Bits?.Select(b => (double)b).ToArray() ?? [],
        "c2c-noise" => C2cNoise ?? [],
        _ => throw new ArgumentException($"unknown hardware axis '{axis}'.", nameof(axis)),
    };

    /// <summary>The optimiser with one value of a hardware axis set (at learning rate <paramref name="lr"/>).</summary>
    public static Hybrid.Training.Optimizers.OptimizerSpec HardwareSpec(string optimizer, double lr, string axis, double value) => axis == "bits"
        ? new(optimizer, lr, Bits: (int)value)
        : new(optimizer, lr, C2cNoise: value);

    /// <summary>
    /// Whether an optimiser takes a hardware axis's setting as a plain option: the catalog decides (<c>OptimizerCatalog.Validate</c>
    /// at its default rate, 8 bits or no noise); <paramref name="why"/> is its reason where not (c2c noise on sgd, adam or madam
    /// needs an analog device, optimizer.device, which transfer does not set).
    /// </summary>
    public static bool Takes(string optimizer, string axis, out string why)
    {
        try
        {
            Hybrid.Training.Optimizers.OptimizerCatalog.Validate(HardwareSpec(optimizer,
                Hybrid.Training.Optimizers.OptimizerCatalog.DefaultLr(optimizer), axis, axis == "bits" ? 8 : 0));
            why = "";
            return true;
        }
        catch (ArgumentException e)
        {
            why = Values.PlainMessage(e);
            return false;
        }
    }

    /// <summary>The optimisers of a hardware axis's slice (empty when the axis is not asked for).</summary>
    public IReadOnlyList<string> HardwareOptimizers(string axis) =>
        HardwareValues(axis).Length == 0 ? [] : Optimizers.Where(o => Takes(o, axis, out _)).ToList();

    /// <summary>The optimisers left out of a hardware axis's slice, each with the catalog's reason.</summary>
    public IReadOnlyList<(string Optimizer, string Why)> LeftOut(string axis) =>
        HardwareValues(axis).Length == 0 ? [] : Optimizers.Select(o => (o, ok: Takes(o, axis, out var why), why)).Where(x => !x.ok).Select(x => (x.o, x.why)).ToList();

    /// <summary>Valid <see cref="Grid"/> names.</summary>
    public static readonly IReadOnlyList<string> GridNames = ["cross", "product"];

    /// <summary>The default run (sized for about ten minutes on two cores; see docs/part2.md).</summary>
    public static TransferSettings Default => new(["sgd", "adam", "fromage", "nero", "madam"], 2, [32, 128, 512], [1, 4, 16],
        128, 1, "cross", 2, 100, 1.0, 3, new DataSpec(TrainSize: 5000, TestSize: 500));

    /// <summary>The <c>--quick</c> run (well under a minute; what the tests run).</summary>
    public static TransferSettings Quick => Default with
    {
        Optimizers = ["adam", "madam"], LrSpan = 1, Widths = [16, 32], Depths = [1, 2], BaseWidth = 16, BaseDepth = 1, Epochs = 1, Seeds = 1,
        Data = new DataSpec(TrainSize: 500, TestSize: 100),
    };

    /// <summary>The learning rates of <paramref name="optimizer"/>, largest first.</summary>
    public double[] Lrs(string optimizer) => LearningRates.Around(optimizer, LrSpan);

    /// <summary>The (width, depth) pairs the grid trains.</summary>
    [JsonIgnore]
    public IReadOnlyList<(int Width, int Depth)> Architectures => Grid == "product"
        ? (from d in Depths from w in Widths select (w, d)).ToList()
        : Widths.Select(w => (w, BaseDepth)).Concat(Depths.Where(d => d != BaseDepth).Select(d => (BaseWidth, d))).ToList();

    /// <summary>Every point: seed by seed (Seed, Seed + 1, …), architecture by architecture, then optimiser and learning rate.</summary>
    [JsonIgnore]
    public IReadOnlyList<TrainingPoint> Points =>
        (from i in Enumerable.Range(0, Seeds)
         let seed = Seed + i
         from a in Architectures
         from opt in Optimizers
         from lr in Lrs(opt)
         select new TrainingPoint(Model, a.Depth, a.Width, true, opt, lr, Epochs, BatchSize, LrDecay, seed, Data))
        .Concat(HardwarePoints).ToList();

    /// <summary>The points of the hardware slices (none without <see cref="Bits"/> or <see cref="C2cNoise"/>): at (BaseWidth, BaseDepth),
    /// seed by seed, axis by axis, optimiser, value and learning rate.</summary>
    [JsonIgnore]
    public IReadOnlyList<TrainingPoint> HardwarePoints =>
        (from i in Enumerable.Range(0, Seeds)
         let seed = Seed + i
         from axis in HardwareAxes
         from opt in HardwareOptimizers(axis)
         from v in HardwareValues(axis)
         from lr in Lrs(opt)
         select HardwarePoint(opt, lr, axis, v, seed)).ToList();

    /// <summary>One point of a hardware slice.</summary>
    public TrainingPoint HardwarePoint(string optimizer, double lr, string axis, double value, long seed) =>
        new(Model, BaseDepth, BaseWidth, true, optimizer, lr, Epochs, BatchSize, LrDecay, seed, Data,
            Bits: axis == "bits" ? (int)value : null, C2cNoise: axis == "c2c-noise" ? value : null);

    /// <summary>Checks every value before any work; the message names the option.</summary>
    public void Validate()
    {
        LearningRates.RequireOptimizers(Optimizers);
        if (LrSpan is < 1 or > 4) throw new ArgumentException($"--lr-span {LrSpan} must be 1…4 decades (the best rate needs neighbours).", "lr-span");
        Values.RequireNonEmptyDistinct(Widths, "widths");
        Values.RequireNonEmptyDistinct(Depths, "depths");
        foreach (var w in Widths) if (w < 1) throw new ArgumentException($"--widths {w}: a width must be >= 1.", "widths");
        foreach (var d in Depths) if (d < 1) throw new ArgumentException($"--depths {d}: a depth must be >= 1 (hidden layers).", "depths");
        if (!Widths.Contains(BaseWidth)) throw new ArgumentException($"--base-width {BaseWidth} must be one of --widths {string.Join(",", Widths)}.", "base-width");
        if (!Depths.Contains(BaseDepth)) throw new ArgumentException($"--base-depth {BaseDepth} must be one of --depths {string.Join(",", Depths)}.", "base-depth");
        if (!GridNames.Contains(Grid)) throw new ArgumentException($"--grid '{Grid}' is unknown; valid: {string.Join(", ", GridNames)}.", "grid");
        if (Seeds < 1) throw new ArgumentException($"--seeds {Seeds} must be >= 1.", "seeds");
        if (Bits is not null) Values.RequireNonEmptyDistinct(Bits, "bits");
        if (C2cNoise is not null)
        {
            Values.RequireNonEmptyDistinct(C2cNoise, "c2c-noise");
            foreach (var c in C2cNoise)
                if (!(c >= 0 && double.IsFinite(c))) throw new ArgumentException($"--c2c-noise {c} must be finite and >= 0.", "c2c-noise");
        }
        foreach (var axis in HardwareAxes)
            if (HardwareValues(axis).Length > 0 && HardwareOptimizers(axis).Count == 0)
                throw new ArgumentException($"--{axis}: none of --optimizers {string.Join(",", Optimizers)} takes it " +
                    $"({LeftOut(axis)[0].Why.TrimEnd('.')}).", axis);
        foreach (var p in Points) p.Validate();
    }
}
