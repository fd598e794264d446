using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using TorchSharp;

namespace Hybrid.Experiments.Train;

/// <summary>Which data a run uses: a folder of MNIST-format files, Fashion-MNIST, or a synthetic task.</summary>
public static class DataChoice
{
    /// <summary>Names accepted by <c>--data</c> besides a folder path.</summary>
    public static readonly IReadOnlyList<string> Names = ["fashion-mnist", "teacher", "mixture"];

    /// <summary>Loads the data named by <paramref name="data"/> (null: Fashion-MNIST if installed, else the teacher task).</summary>
    public static ResolvedDataSet Load(string? data, bool flatten, long seed)
    {
        var options = new DataOptions(Flatten: flatten);
        switch (data?.Trim().ToLowerInvariant())
        {
            case null or "" or "fashion-mnist":
                if (data is null || DataSets.FashionMnistInstalled) return DataSets.Resolve(null, options, seed: seed);
                throw new ArgumentException(
                    $"Fashion-MNIST is not installed at {DataSets.FashionMnistFolder} ({DataSets.FashionMnistInstallHint}).", "data");
            case "teacher":
                return new ResolvedDataSet(Synthetic.Teacher(new TeacherOptions(Train: 10_000, Test: 2_000), seed),
                    "synthetic teacher task (chosen with --data teacher)", false);
            case "mixture":
                return new ResolvedDataSet(Synthetic.Mixture(new MixtureOptions(Train: 10_000, Test: 2_000), seed),
                    "synthetic Gaussian mixture (chosen with --data mixture)", false);
            default:
                if (!Directory.Exists(data))
                    throw new ArgumentException(
                        $"--data '{data}' is neither a folder nor one of: {string.Join(", ", Names)}.", "data");
                return DataSets.Resolve(data, options, seed: seed);
        }
    }
}

/// <summary>
/// Everything a <c>hybrid train</c> run needs to be repeated — written to config.json, and
/// compared on <c>--resume</c>.
/// </summary>
public sealed record TrainSettings(
    string Model = "mlp", int Depth = 3, int Width = 256, string Activation = "relu", bool Bias = true,
    double InitScale = 1.0, string Optimizer = "adam", double? Lr = null, int? Bits = null, double? Gamma = null,
    double? PBound = null, double? Momentum = null, bool StochasticRounding = true, int Epochs = 10,
    int BatchSize = 128, long Seed = 0, string Device = "cpu", string? Data = null, string Normalize = "standard",
    string LrSchedule = "constant")
{
    /// <summary>Valid names for <see cref="Normalize"/>.</summary>
    public static readonly IReadOnlyList<string> NormalizeNames = ["none", "standard", "sphere"];

    /// <summary>The optimiser part.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public OptimizerSpec OptimizerSpec => new(Optimizer, Lr, Bits, Gamma, PBound, Momentum, StochasticRounding);

    /// <summary>Checks every value before any work starts; the message names the option and lists valid names.</summary>
    public void Validate()
    {
        ModelSpec.ParseKind(Model);
        ModelSpec.ParseActivation(Activation);
        OptimizerCatalog.Validate(OptimizerSpec);
        if (Epochs < 1) throw new ArgumentException($"--epochs {Epochs} must be >= 1.", "epochs");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size {BatchSize} must be >= 1.", "batch-size");
        if (Depth < 0) throw new ArgumentException($"--depth {Depth} must be >= 0.", "depth");
        if (Width < 1) throw new ArgumentException($"--width {Width} must be >= 1.", "width");
        if (!(InitScale > 0) || !double.IsFinite(InitScale)) throw new ArgumentException($"--init-scale {InitScale} must be > 0.", "init-scale");
        ParseNormalize(Normalize);
        LearningRateSchedules.Parse(LrSchedule, Epochs);
        var dev = Device.Trim().ToLowerInvariant();
        if (dev != "cpu" && !dev.StartsWith("cuda", StringComparison.Ordinal))
            throw new ArgumentException($"--device '{Device}' is unknown; valid: cpu, cuda, cuda:N.", "device");
    }

    /// <summary>Parses a normalisation name.</summary>
    public static NormalizationKind ParseNormalize(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => NormalizationKind.None,
        "standard" => NormalizationKind.Standardize,
        "sphere" => NormalizationKind.Sphere,
        _ => throw new ArgumentException($"--normalize '{name}' is unknown; valid: {string.Join(", ", NormalizeNames)}.", "normalize"),
    };

    /// <summary>A short name for progress and plots.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string RunName => $"{Model}{(Model == "mlp" ? $"-{Depth}x{Width}" : "")} · {Optimizer}";

    /// <summary>Builds the job: loads the data, fits the normalisation, and binds model and optimiser factories.</summary>
    public (TrainingJob Job, string DataNote) BuildJob()
    {
        Validate();
        var device = TorchRuntime.Device(Device);
        var kind = ModelSpec.ParseKind(Model);
        var resolved = DataChoice.Load(Data, flatten: false, Seed);
        var data = resolved.Data;
        var spec = new ModelSpec(kind, data.InputShape, data.Classes, Depth, Width, ModelSpec.ParseActivation(Activation), Bias, InitScale);
        spec.Validate();
        var optimizer = OptimizerSpec;
        var job = new TrainingJob
        {
            Name = RunName,
            BuildModel = d => ModelFactory.Build(spec, Seed, d),
            BuildOptimizer = m => OptimizerCatalog.Create(optimizer, m.parameters(), (ulong)Seed),
            Data = data,
            Normalization = InputNormalization.Fit(ParseNormalize(Normalize), data.TrainX),
            Epochs = Epochs,
            BatchSize = BatchSize,
            Seed = Seed,
            Device = device,
            Config = this,
            DataNote = resolved.Note,
            LearningRateFactor = LearningRateSchedules.Parse(LrSchedule, Epochs),
        };
        return (job, resolved.Note);
    }
}
