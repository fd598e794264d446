using Hybrid.Experiments.Data;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using System.Globalization;
using System.Text.Json.Serialization;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Points;

/// <summary>
/// One training run of a set of points (<c>hybrid depth</c>, <c>hybrid transfer</c>): model, optimiser
/// and learning rate, schedule, seed and data. It is the run's whole configuration — its
/// config.json — so a point is a pure function of this record: a sweep can run any point alone,
/// on any machine, and get the same result.
/// </summary>
/// <param name="Model">mlp or residual-mlp.</param>
/// <param name="Depth">Hidden layers (≥ 1).</param>
/// <param name="Width">Units per hidden layer (≥ 1).</param>
/// <param name="Bias">Whether the layers have biases.</param>
/// <param name="Optimizer">An <see cref="OptimizerCatalog"/> name.</param>
/// <param name="Lr">The initial learning rate.</param>
/// <param name="Epochs">Epochs to train (≥ 1).</param>
/// <param name="BatchSize">Examples per batch (≥ 1).</param>
/// <param name="LrDecay">The learning rate of epoch e is Lr·LrDecay^(e−1) (1 = constant), in (0, 1].</param>
/// <param name="Seed">Seed of the initial weights and the batch order.</param>
/// <param name="Data">The data.</param>
/// <param name="Bits">LNS bits per synapse (<see cref="OptimizerSpec.Bits"/>; lns-madam, lns-madam-sim); null: the optimiser's default,
/// and then neither config.json nor <see cref="Key"/> names it, so the points of earlier runs keep their folders.</param>
/// <param name="C2cNoise">Cycle-to-cycle relative device step noise (<see cref="OptimizerSpec.C2cNoise"/>); null as for <paramref name="Bits"/>.</param>
public sealed record TrainingPoint(string Model, int Depth, int Width, bool Bias, string Optimizer, double Lr,
    int Epochs, int BatchSize, double LrDecay, long Seed, DataSpec Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Bits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? C2cNoise = null)
{
    /// <summary>Model kinds a grid point may use.</summary>
    public static readonly IReadOnlyList<string> ModelNames = ["mlp", "residual-mlp"];

    /// <summary>Checks every value before any work; the message names the option.</summary>
    public void Validate()
    {
        if (!ModelNames.Contains(Model)) throw new ArgumentException($"--model '{Model}' is unknown; valid: {string.Join(", ", ModelNames)}.", "model");
        if (Depth < 1) throw new ArgumentException($"depth {Depth} must be >= 1 (hidden layers).", "depths");
        if (Width < 1) throw new ArgumentException($"width {Width} must be >= 1.", "width");
        OptimizerCatalog.Validate(OptimizerSpec);
        if (Epochs < 1) throw new ArgumentException($"--epochs {Epochs} must be >= 1.", "epochs");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size {BatchSize} must be >= 1.", "batch-size");
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new ArgumentException($"--lr-decay {LrDecay} must be in (0, 1].", "lr-decay");
        Data.Validate();
    }

    /// <summary>The optimiser with its learning rate and hardware settings (not in config.json: the fields above are).</summary>
    [JsonIgnore]
    public OptimizerSpec OptimizerSpec => new(Optimizer, Lr, Bits: Bits, C2cNoise: C2cNoise);

    /// <summary>The model spec for data of this input shape and class count.</summary>
    public ModelSpec Spec(long[] inputShape, int classes) =>
        new(Hybrid.Training.Models.ModelSpec.ParseKind(Model), inputShape, classes, Depth, Width, Activation.Relu, Bias);

    /// <summary>The point's folder name: optimiser, learning rate, model, depth, width, seed ("adam-lr1e-03-mlp-d08-w128-s0"),
    /// then the bits and the c2c noise where set ("lns-madam-lr1e-02-mlp-d01-w64-s0-b06", "…-s0-c0.1").</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Optimizer}-lr{Lr:0.###e+00}-{Model}-d{Depth:D2}-w{Width}-s{Seed}{Hardware}");

    /// <summary>A short name for progress lines.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Optimizer} lr {Lr:G3} · {Model} {Depth}×{Width} · seed {Seed}") +
        (Bits is { } b ? $" · {b} bits" : "") + (C2cNoise is { } c ? string.Create(CultureInfo.InvariantCulture, $" · c2c {c:G3}") : "");

    // "-b06", "-c0.1", "-b06-c0.1" or "" (no hardware setting: the keys of earlier runs).
    private string Hardware =>
        (Bits is { } b ? "-b" + b.ToString("D2", CultureInfo.InvariantCulture) : "") +
        (C2cNoise is { } c ? "-c" + c.ToString("0.###", CultureInfo.InvariantCulture) : "");
}

/// <summary>What one training point produced (the result of its unit.json; one row of results.csv).</summary>
/// <param name="Point">The point.</param>
/// <param name="Status">completed, diverged or cancelled.</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="TrainAccuracy">Training accuracy over the last completed epoch (the authors' metric: the mean of the per-batch accuracies as the model trained); NaN if none.</param>
/// <param name="TrainLoss">Mean training loss over the last completed epoch; NaN if none.</param>
/// <param name="TestAccuracy">Test accuracy after the last completed epoch; NaN if none.</param>
/// <param name="Seconds">Training seconds over all completed epochs.</param>
public sealed record PointResult(TrainingPoint Point, RunStatus Status, int Epochs, double TrainAccuracy, double TrainLoss,
    double TestAccuracy, double Seconds)
{
    /// <summary>Whether every planned epoch ran.</summary>
    public bool Completed => Status == RunStatus.Completed;

    /// <summary>Whether the loss stopped being finite.</summary>
    public bool Diverged => Status == RunStatus.Diverged;

    /// <summary>The header of results.csv.</summary>
    public const string CsvHeader = "key,optimizer,lr,model,depth,width,seed,epochs_planned,status,epochs,train_accuracy,train_loss,test_accuracy,seconds";

    /// <summary>This result as a CSV row.</summary>
    public string ToCsv() => string.Join(',', Point.Key, Point.Optimizer, G(Point.Lr), Point.Model, Point.Depth, Point.Width,
        Point.Seed, Point.Epochs, Status.Name(), Epochs, G(TrainAccuracy), G(TrainLoss), G(TestAccuracy), G(Seconds));

    /// <summary>results.csv for these rows.</summary>
    public static string Csv(IEnumerable<PointResult> rows) => CsvHeader + "\n" + string.Concat(rows.Select(r => r.ToCsv() + "\n"));

    private static string G(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
