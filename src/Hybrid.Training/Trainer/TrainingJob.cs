using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Trainer;

/// <summary>
/// Everything the trainer needs for one run: how to build the model and its optimiser (so a
/// resumed run rebuilds them identically), the data, and the schedule. <see cref="Config"/> is
/// what config.json records; a resume refuses a run folder whose config differs.
/// </summary>
public sealed class TrainingJob
{
    /// <summary>A short name for progress and plots ("mlp · madam").</summary>
    public required string Name { get; init; }

    /// <summary>Builds the model (seeded) on a device.</summary>
    public required Func<Device, nn.Module<Tensor, Tensor>> BuildModel { get; init; }

    /// <summary>Builds the optimiser over a model.</summary>
    public required Func<nn.Module<Tensor, Tensor>, optim.Optimizer> BuildOptimizer { get; init; }

    /// <summary>The data (CPU tensors; batches move to <see cref="Device"/>).</summary>
    public required DataSet Data { get; init; }

    /// <summary>Input normalisation fitted on the training split.</summary>
    public InputNormalization Normalization { get; init; } = InputNormalization.None;

    /// <summary>Epochs to train (≥ 1).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per training batch (≥ 1).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Seed of the batch order (the model's seed is inside <see cref="BuildModel"/>).</summary>
    public long Seed { get; init; }

    /// <summary>Where tensors live.</summary>
    public Device Device { get; init; } = torch.CPU;

    /// <summary>The serialisable configuration written to config.json.</summary>
    public required object Config { get; init; }

    /// <summary>Extra lines for the data description in summary.json (e.g. the fallback note).</summary>
    public string DataNote { get; init; } = "";

    /// <summary>
    /// The learning-rate multiplier of each epoch (1-based), applied to every parameter group's
    /// initial rate before the epoch starts; null keeps the rates as they are. A pure function of
    /// the epoch, so a resumed run gets the same rates as an uninterrupted one.
    /// </summary>
    public Func<int, double>? LearningRateFactor { get; init; }

    /// <summary>Called after every optimiser step with (epoch, batch index); for ledgers and probes.</summary>
    public Action<int, long>? AfterStep { get; init; }

    /// <summary>Seconds since programming at which a completed run's analog weights are evaluated once more after
    /// drifting (<see cref="DriftEvaluation"/>; <c>--drift-time</c>); null or empty: none.</summary>
    public IReadOnlyList<double>? DriftTimes { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for a schedule that cannot run.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs {Epochs} must be >= 1.", "epochs");
        if (BatchSize < 1) throw new ArgumentException($"batch size {BatchSize} must be >= 1.", "batch-size");
        foreach (double t in DriftTimes ?? [])
            if (!(t >= 0) || !double.IsFinite(t)) throw new ArgumentException($"drift time {t} s must be finite and >= 0.", "drift-time");
    }
}

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>Every epoch ran.</summary>
    Completed,
    /// <summary>The loss became NaN or infinite; the last good checkpoint was kept.</summary>
    Diverged,
    /// <summary>Stopped on request (Ctrl+C); the last checkpoint was kept.</summary>
    Cancelled,
}

/// <summary>What a run produced.</summary>
/// <param name="Name">The job's name.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Message">How it ended, in words.</param>
/// <param name="Epochs">Every completed epoch, a resumed run's earlier ones included.</param>
/// <param name="Location">Where the run is stored (<see cref="IRunStore.Location"/>).</param>
/// <param name="Parameters">Trainable parameters of the model.</param>
/// <param name="Optimizer">The optimiser's costs over the whole run, when it accounts for them (<see cref="Optimizers.IReportingOptimizer"/>).</param>
/// <param name="Drift">The drift evaluation of the trained model (<see cref="TrainingJob.DriftTimes"/>), or null.</param>
public sealed record TrainResult(string Name, RunStatus Status, string Message, IReadOnlyList<EpochMetrics> Epochs,
    string Location, long Parameters, Optimizers.OptimizerReport? Optimizer = null, IReadOnlyList<DriftPoint>? Drift = null)
{
    /// <summary>Test accuracy after the last completed epoch (NaN if none).</summary>
    public double FinalTestAccuracy => Epochs.Count > 0 ? Epochs[^1].TestAccuracy : double.NaN;
    /// <summary>Training loss of the last completed epoch (NaN if none).</summary>
    public double FinalTrainLoss => Epochs.Count > 0 ? Epochs[^1].TrainLoss : double.NaN;
    /// <summary>Mean training seconds per epoch (NaN if none).</summary>
    public double MeanEpochSeconds => Epochs.Count > 0 ? Epochs.Average(e => e.EpochSeconds) : double.NaN;
}
