using Hybrid.Experiments.Grid;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Transfer;

/// <summary>
/// <c>hybrid transfer</c>: trains the grid of <see cref="TransferSettings"/> (each point its own
/// resumable run under points/), then writes results.csv/json, summary.json, report.md and the
/// loss and accuracy against learning rate per width and per depth.
/// </summary>
public static class TransferExperiment
{
    /// <summary>Runs (or resumes) the experiment into <paramref name="folder"/>.</summary>
    public static (IReadOnlyList<PointResult> Results, TransferSummary Summary) Run(TransferSettings settings, RunFolder folder,
        bool resume, Func<Func<ITrainingObserver, List<PointResult>>, List<PointResult>> withProgress, CancellationToken cancel = default)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        using var cache = new DataCache();
        var (data, _, note) = cache.Get(settings.Data); // bad data fails here, before the folder is written
        folder.BeginExperiment(settings, resume, "transfer experiment");
        var results = withProgress(observer => GridRunner.RunAll(settings.Points, folder, resume, observer, cancel: cancel, cache: cache));
        var summary = TransferSummary.From(settings, results, data.Classes);
        TransferReport.Write(folder, settings, results, summary, note, data.Summary, data.Classes);
        return (results, summary);
    }
}
