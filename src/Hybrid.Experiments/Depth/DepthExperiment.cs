using Hybrid.Experiments.Grid;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Depth;

/// <summary>
/// <c>hybrid depth</c>: trains the grid of <see cref="DepthSettings"/> (each point its own
/// resumable run under points/), then writes results.csv/json, summary.json, report.md, the
/// depth × optimiser heatmap, accuracy against depth and the learning curves.
/// </summary>
public static class DepthExperiment
{
    /// <summary>Runs (or resumes) the experiment into <paramref name="folder"/>.</summary>
    /// <param name="settings">What to run (validated before anything is written).</param>
    /// <param name="folder">The experiment's folder.</param>
    /// <param name="resume">Continue the experiment already in the folder.</param>
    /// <param name="withProgress">Runs the body with a progress observer (the CLI's console display; tests pass a silent one).</param>
    /// <param name="cancel">Stops after the current epoch; what finished is reported.</param>
    public static (IReadOnlyList<PointResult> Results, DepthSummary Summary) Run(DepthSettings settings, RunFolder folder,
        bool resume, Func<Func<ITrainingObserver, List<PointResult>>, List<PointResult>> withProgress, CancellationToken cancel = default)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        using var cache = new DataCache();
        var (data, _, note) = cache.Get(settings.Data); // bad data fails here, before the folder is written
        folder.BeginExperiment(settings, resume, "depth experiment");
        var results = withProgress(observer => GridRunner.RunAll(settings.Points, folder, resume, observer, cancel: cancel, cache: cache));
        var summary = DepthSummary.From(settings, results, data.Classes);
        DepthReport.Write(folder, settings, results, summary, note, data.Summary);
        return (results, summary);
    }
}
