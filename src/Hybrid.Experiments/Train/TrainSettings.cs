using System.Text.Json.Serialization;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Experiments.Data;
using Hybrid.Training.Trainer;
using TorchSharp;

namespace Hybrid.Experiments.Train;

/// <summary>
/// Everything a <c>hybrid train</c> run needs to be repeated — written to config.json, and
/// compared on <c>--resume</c>.
/// </summary>
/// <param name="Model">Model family: mlp, cnn, residual-mlp, resnet or gpt (<see cref="ModelSpec.KindNames"/>).</param>
/// <param name="Depth">Hidden layers (MLP), hidden head layers (CNN), blocks per stage (ResNet) or blocks (GPT).</param>
/// <param name="Width">Units per hidden layer (the GPT's model width d).</param>
/// <param name="Activation">relu, tanh, gelu or relu-sqrt2.</param>
/// <param name="Bias">Layers with biases.</param>
/// <param name="InitScale">Multiplies the default initialisation.</param>
/// <param name="Optimizer">The optimiser and its hyperparameters (default: Adam with its defaults).</param>
/// <param name="Epochs">Epochs to train.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="Seed">Seed of the initial weights, batch order and rounding.</param>
/// <param name="Device">cpu, cuda or cuda:N.</param>
/// <param name="Data">An MNIST-format folder or a data-set name (<see cref="DataChoice.Names"/>); null: Fashion-MNIST
/// (the text corpus for the GPT).</param>
/// <param name="Normalize">Input normalisation: none, standard or sphere.</param>
/// <param name="LrSchedule">constant or cosine.</param>
/// <param name="Task">A relabelling of the classes (<c>--task</c>).</param>
/// <param name="TrainSize">A fixed-seed training subset (<c>--train-size</c>).</param>
/// <param name="DriftTimes">Seconds after training at which the analog weights are evaluated again, drifted
/// (<c>--drift-time</c>; Hybrid.Training.Trainer.DriftEvaluation).</param>
/// <param name="SramKib">On-chip SRAM of the memory model that prices the recorded full step (<c>--sram-kib</c>, KiB; 0: all
/// DRAM); null, or the default 1 MiB spelt out, is stored as null, so a run's id does not change when the default is written.</param>
public sealed record TrainSettings(
    string Model = "mlp", int Depth = 3, int Width = 256, string Activation = "relu", bool Bias = true,
    double InitScale = 1.0, OptimizerSpec? Optimizer = null, int Epochs = 10,
    int BatchSize = 128, long Seed = 0, string Device = "cpu", string? Data = null, string Normalize = "standard",
    string LrSchedule = "constant", string? Task = null, int? TrainSize = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double[]? DriftTimes = null,
    int? SramKib = null)
{
    /// <summary>The default on-chip SRAM of the priced step, KiB (<see cref="Hybrid.Synapse.Energy.MemoryHierarchy.Default"/>).</summary>
    public const int DefaultSramKib = 1024;

    private readonly int? _sramKib = SramKib == DefaultSramKib ? null : SramKib;

    /// <summary>The SRAM of the priced step, KiB; null for the default (see the parameter).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SramKib { get => _sramKib; init => _sramKib = value == DefaultSramKib ? null : value; }

    /// <summary>The memory hierarchy that prices the recorded full step (compulsory traffic).</summary>
    [JsonIgnore]
    public Hybrid.Synapse.Energy.MemoryHierarchy Memory => new(1024L * (SramKib ?? DefaultSramKib));

    /// <summary>The optimiser actually used.</summary>
    public OptimizerSpec Optimizer { get; init; } = Optimizer ?? new OptimizerSpec("adam");

    /// <summary>The task and training subset taken from the data (<c>--task</c>, <c>--train-size</c>).</summary>
    [JsonIgnore]
    public DataSelection Selection => new(Task, TrainSize);

    /// <summary>Checks every value before any work starts; the message names the option and lists valid names.</summary>
    public void Validate()
    {
        ModelSpec.ParseKind(Model);
        ModelSpec.ParseActivation(Activation);
        OptimizerCatalog.Validate(Optimizer);
        if (Epochs < 1) throw new ArgumentException($"--epochs {Epochs} must be >= 1.", "epochs");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size {BatchSize} must be >= 1.", "batch-size");
        if (Depth < 0) throw new ArgumentException($"--depth {Depth} must be >= 0.", "depth");
        if (Width < 1) throw new ArgumentException($"--width {Width} must be >= 1.", "width");
        ModelSpec.RequireFits(Depth, Width); // before loading data: a size that cannot fit is refused at once
        if (!(InitScale > 0) || !double.IsFinite(InitScale)) throw new ArgumentException($"--init-scale {InitScale} must be > 0.", "init-scale");
        DataChoice.ParseNormalize(Normalize);
        LearningRateSchedules.Parse(LrSchedule, Epochs);
        var dev = Device.Trim().ToLowerInvariant();
        if (dev != "cpu" && !dev.StartsWith("cuda", StringComparison.Ordinal))
            throw new ArgumentException($"--device '{Device}' is unknown; valid: cpu, cuda, cuda:N.", "device");
        TorchRuntime.RequireBuildSupports(Device); // a CUDA device in a CPU build names the build switch
        DataChoice.RequireModelReads(Model, DataChoice.ForModel(Data, Model));
        DataChoice.Validate(DataChoice.ForModel(Data, Model), Selection);
        foreach (double t in DriftTimes ?? [])
            if (!(t >= 0) || !double.IsFinite(t)) throw new ArgumentException($"--drift-time {t} s must be finite and >= 0.", "drift-time");
        if (SramKib is { } kib)
        {
            var sizes = Hybrid.Synapse.Energy.Architectures.CostStudy.SramSizes(Hybrid.Synapse.Energy.EnergyTable.Horowitz45nm);
            if (!sizes.Contains(kib))
                throw new ArgumentException($"--sram-kib {kib}: the default energy table prices no {kib} KiB SRAM; valid: {string.Join(", ", sizes)}.", "sram-kib");
        }
    }

    /// <summary>A short name for progress and plots.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string RunName => $"{Model}{(Model == "mlp" ? $"-{Depth}x{Width}" : "")} · {Optimizer.Key}";

    /// <summary>Builds the job (settings validated by the caller: the host): loads the data, fits the normalisation, and binds model and optimiser factories.</summary>
    public (TrainingJob Job, string DataNote) BuildJob()
    {
        var device = TorchRuntime.Device(Device);
        var kind = ModelSpec.ParseKind(Model);
        var resolved = DataChoice.Load(DataChoice.ForModel(Data, Model), flatten: false, Seed, Selection);
        var data = resolved.Data;
        var spec = new ModelSpec(kind, data.InputShape, data.Classes, Depth, Width, ModelSpec.ParseActivation(Activation), Bias, InitScale);
        spec.Validate();
        var optimizer = Optimizer;
        var job = new TrainingJob
        {
            Name = RunName,
            BuildModel = d => OptimizerCatalog.PrepareModel(optimizer, ModelFactory.Build(spec, Seed, d), (ulong)Seed),
            BuildOptimizer = m => OptimizerCatalog.Create(optimizer, m, (ulong)Seed),
            Data = data,
            Normalization = InputNormalization.Fit(DataChoice.ParseNormalize(Normalize), data.TrainX),
            Epochs = Epochs,
            BatchSize = BatchSize,
            Seed = Seed,
            Device = device,
            Config = this,
            DataNote = resolved.Note,
            LearningRateFactor = LearningRateSchedules.Parse(LrSchedule, Epochs),
            DriftTimes = DriftTimes,
        };
        return (job, resolved.Note);
    }
}
