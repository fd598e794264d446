using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// One training job as a run folder: the trainer fills config.json, metrics.csv and
/// checkpoint.bin (the folder is its <see cref="IRunStore"/>); this adds summary.json (results,
/// versions, build, CPU) and learning-curve.png when the job ends, and TensorBoard event files under
/// tensorboard/ as it goes (<see cref="TensorBoardLog"/>).
/// </summary>
public static class TrainingRun
{
    /// <summary>Runs (or resumes) <paramref name="job"/> in <paramref name="folder"/> and writes its summary and plot,
    /// holding the folder's lock (<see cref="RunFolder.Acquire"/>) unless the caller already does.</summary>
    /// <exception cref="RunFolderLockedException">Another process holds the folder.</exception>
    public static TrainResult Execute(TrainingJob job, RunFolder folder, ITrainingObserver observer, bool resume = false,
        CancellationToken cancel = default)
    {
        using var held = folder.HeldLock is null ? folder.Acquire() : null;
        if (resume) SayIfTheEnvironmentDiffers(folder, observer);
        var started = DateTime.UtcNow;
        var result = Trainer.Run(job, folder, new TensorBoardLog(folder, observer), resume, cancel);
        WriteSummary(folder, job, result, started);
        if (result.Epochs.Count > 0)
            folder.WriteBytes("learning-curve.png", LearningCurvePlot.Render(job.Name, [(job.Name, result.Epochs)]));
        return result;
    }

    private static void WriteSummary(RunFolder folder, TrainingJob job, TrainResult result, DateTime started)
    {
        var best = result.Epochs.Count > 0 ? result.Epochs.MaxBy(e => e.TestAccuracy) : null;
        folder.WriteJson("summary.json", new
        {
            name = result.Name,
            status = result.Status,
            message = result.Message,
            epochsCompleted = result.Epochs.Count,
            epochsPlanned = job.Epochs,
            finalTestAccuracy = result.FinalTestAccuracy,
            finalTrainLoss = result.FinalTrainLoss,
            bestTestAccuracy = best?.TestAccuracy ?? double.NaN,
            bestEpoch = best?.Epoch ?? 0,
            meanEpochSeconds = result.MeanEpochSeconds,
            meanExamplesPerSecond = result.Epochs.Count > 0 ? result.Epochs.Average(e => e.ExamplesPerSecond) : double.NaN,
            parameters = result.Parameters,
            optimizer = result.Optimizer,
            drift = result.Drift,
            data = new { job.Data.Name, job.Data.Source, train = job.Data.TrainCount, test = job.Data.TestCount, note = job.DataNote },
            normalization = job.Normalization.Description,
            startedUtc = started,
            finishedUtc = DateTime.UtcNow,
            environment = RunEnvironment.Capture(),
        });
    }

    /// <summary>A resume under other versions, thread counts or SIMD level than the run's last command (recorded in its
    /// summary.json) says so: libtorch's results, for one, depend on its thread count (issue 22 item 15).</summary>
    private static void SayIfTheEnvironmentDiffers(RunFolder folder, ITrainingObserver observer)
    {
        var diffs = RunEnvironment.Differences(folder, "summary.json", "environment");
        if (diffs.Count > 0)
            observer.Message($"resuming {folder.Path} in another environment than its last command ({string.Join("; ", diffs)}): " +
                             "the resumed epochs may differ from an uninterrupted run in the last digits.");
    }
}
