using Hybrid.Experiments.Grid;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Trust;

/// <summary>One finished <see cref="BoundPoint"/> (bound.json).</summary>
public sealed record BoundResult(BoundPoint Point, IReadOnlyList<TrustRow> Rows);

/// <summary>
/// <c>hybrid trust</c>: the deep-relative-trust measurements (one folder per depth and seed under
/// bound/) and the curvature slices (one run folder per net and seed under slices/), then
/// results.csv/json, summary.json, report.md and the plots. Each part is resumable point by point.
/// </summary>
public static class TrustExperiment
{
    /// <summary>Runs (or resumes) the experiment into <paramref name="folder"/>.</summary>
    public static (IReadOnlyList<BoundResult> Bounds, IReadOnlyList<SliceResult> Slices) Run(TrustSettings settings, RunFolder folder,
        bool resume, Func<Func<ITrainingObserver, (List<BoundResult>, List<SliceResult>)>, (List<BoundResult>, List<SliceResult>)> withProgress,
        CancellationToken cancel = default)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        using var cache = new DataCache();
        var (data, _, note) = cache.Get(settings.Data); // bad data fails here, before the folder is written
        if (settings.Slices.Nets.Length > 0) cache.Get(settings.Slices.Data);
        if (settings.Examples > data.TrainCount)
            throw new ArgumentException($"--examples {settings.Examples} is more than the {data.TrainCount} training examples.", "examples");
        folder.BeginExperiment(settings, resume, "trust experiment");
        var (bounds, slices) = withProgress(observer =>
        {
            var b = new List<BoundResult>();
            foreach (var p in settings.BoundPoints)
            {
                if (cancel.IsCancellationRequested) break;
                b.Add(RunBound(p, new RunFolder(Path.Combine(folder.Path, "bound", p.Key)), cache, observer, resume));
            }
            var s = new List<SliceResult>();
            foreach (var p in settings.SlicePoints)
            {
                if (cancel.IsCancellationRequested) break;
                s.Add(CurvatureSlices.Run(p, new RunFolder(Path.Combine(folder.Path, "slices", p.Key)), cache, observer, resume, cancel));
            }
            return (b, s);
        });
        TrustReport.Write(folder, settings, bounds, slices, note, data.Summary);
        return (bounds, slices);
    }

    /// <summary>Measures one depth and seed (or reads it back when finished and <paramref name="resume"/>).</summary>
    public static BoundResult RunBound(BoundPoint p, RunFolder folder, DataCache cache, ITrainingObserver observer, bool resume)
    {
        string json = System.Text.Json.JsonSerializer.Serialize(p, RunFolder.Json);
        if (resume && folder.Has("bound.json"))
        {
            var done = folder.ReadJson<BoundResult>("bound.json");
            if (System.Text.Json.JsonSerializer.Serialize(done.Point, RunFolder.Json) != json)
                throw new InvalidOperationException($"{folder.Path} holds a different measurement; start a new experiment.");
            return done;
        }
        var (data, normalization, _) = cache.Get(p.Data);
        using var raw = data.TrainX.narrow(0, 0, p.Examples);
        using var normalized = normalization.Apply(raw);
        using var x = normalized.reshape(p.Examples, -1);
        using var y = data.TrainY.narrow(0, 0, p.Examples);
        var weights = TrustBound.Weights(p, data.InputShape, data.Classes);
        try
        {
            var result = new BoundResult(p, TrustBound.Measure(p, weights, x, y));
            folder.WriteText("config.json", json + "\n");
            folder.WriteJson("bound.json", result);
            var worst = result.Rows.MaxBy(r => r.Ratio)!;
            observer.Message($"trust L={p.Layers} seed {p.Seed}: largest measured/bound {worst.Ratio:G3} ({worst.Direction}, ε = {worst.Epsilon:G2})");
            return result;
        }
        finally
        {
            foreach (var w in weights) w.Dispose();
        }
    }
}
