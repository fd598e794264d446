using Hybrid.Experiments.Runs;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Grid;

/// <summary>
/// Runs grid points, each as its own run folder (<c>points/&lt;key&gt;/</c>: the trainer's
/// config.json, metrics.csv and checkpoint, summary.json, learning-curve.png, and point.json
/// when it has finished). In order, one after another: a resumed grid reads finished points
/// back, continues a half-trained one from its checkpoint, and starts the rest.
/// </summary>
/// <remarks>
/// The many small runs are not batched into one model: the Part II optimisers normalise per
/// tensor or per neuron, so a stacked "many runs in one tensor" model would need its own
/// optimiser kernels; on two cores the saving would also be small.
/// </remarks>
public static class GridRunner
{
    /// <summary>The result file of a finished point.</summary>
    public const string PointFile = "point.json";

    /// <summary>Runs (or reads back) every point in order; stops early, returning what ran, when cancelled.</summary>
    /// <param name="points">The grid (validated first, all of it, before any work).</param>
    /// <param name="folder">The experiment's folder; points go under points/.</param>
    /// <param name="resume">Read finished points back and continue unfinished ones.</param>
    /// <param name="observer">Progress.</param>
    /// <param name="keepCheckpoints">Keep each finished point's checkpoint.bin (otherwise deleted once point.json is written: a 32-layer checkpoint is megabytes, and a grid has hundreds).</param>
    /// <param name="cancel">Stops after the current epoch.</param>
    /// <param name="cache">Loaded data to share (the caller's, kept); null loads and frees its own.</param>
    public static List<PointResult> RunAll(IReadOnlyList<TrainingPoint> points, RunFolder folder, bool resume,
        ITrainingObserver observer, bool keepCheckpoints = false, CancellationToken cancel = default, DataCache? cache = null)
    {
        foreach (var p in points) p.Validate();
        var keys = points.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (keys is not null) throw new ArgumentException($"the grid holds point {keys.Key} twice.", "grid");
        using var own = cache is null ? new DataCache() : null;
        cache ??= own!;
        var results = new List<PointResult>();
        for (int i = 0; i < points.Count && !cancel.IsCancellationRequested; ++i)
        {
            var point = points[i];
            var pointFolder = new RunFolder(Path.Combine(folder.Path, "points", point.Key));
            var result = Run(point, pointFolder, cache, new Numbered(observer, i + 1, points.Count), resume, keepCheckpoints, cancel);
            results.Add(result);
        }
        return results;
    }

    /// <summary>Runs one point in <paramref name="folder"/> (or reads it back when finished and <paramref name="resume"/>).</summary>
    public static PointResult Run(TrainingPoint point, RunFolder folder, DataCache cache, ITrainingObserver observer,
        bool resume, bool keepCheckpoints = false, CancellationToken cancel = default)
    {
        point.Validate();
        if (resume && folder.Has(PointFile))
        {
            var done = folder.ReadJson<PointResult>(PointFile);
            if (done.Point != point)
                throw new InvalidOperationException($"{folder.Path} holds a different point ({PointFile}); start a new grid or remove it.");
            return done;
        }
        var (data, normalization, note) = cache.Get(point.Data);
        var spec = point.Spec(data.InputShape, data.Classes);
        spec.Validate();
        var optimizer = new OptimizerSpec(point.Optimizer, point.Lr);
        double decay = point.LrDecay;
        var job = new TrainingJob
        {
            Name = point.Name,
            BuildModel = d => ModelFactory.Build(spec, point.Seed, d),
            BuildOptimizer = m => OptimizerCatalog.Create(optimizer, m.parameters(), (ulong)point.Seed),
            Data = data,
            Normalization = normalization,
            Epochs = point.Epochs,
            BatchSize = point.BatchSize,
            Seed = point.Seed,
            Config = point,
            DataNote = note,
            LearningRateFactor = decay == 1 ? null : e => Math.Pow(decay, e - 1),
        };
        var run = TrainingRun.Execute(job, folder, observer, resume && folder.HasCheckpoint, cancel);
        var last = run.Epochs.Count > 0 ? run.Epochs[^1] : null;
        var result = new PointResult(point, run.Status.ToString().ToLowerInvariant(), run.Epochs.Count,
            last?.TrainAccuracy ?? double.NaN, last?.TrainLoss ?? double.NaN, last?.TestAccuracy ?? double.NaN,
            run.Epochs.Sum(e => e.EpochSeconds));
        if (run.Status != RunStatus.Cancelled)
        {
            folder.WriteJson(PointFile, result);
            if (!keepCheckpoints) File.Delete(folder.File(RunFolder.CheckpointFile));
        }
        return result;
    }

    /// <summary>The per-epoch metrics a point's folder holds (empty when it has none).</summary>
    public static List<EpochMetrics> Metrics(RunFolder experiment, TrainingPoint point)
    {
        var path = Path.Combine(experiment.Path, "points", point.Key, "metrics.csv");
        return File.Exists(path) ? EpochMetrics.ReadCsv(path) : [];
    }

    // Prefixes each run's name with its place in the grid ("[3/90] adam lr 0.001 · …").
    private sealed class Numbered(ITrainingObserver inner, int index, int count) : ITrainingObserver
    {
        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) =>
            inner.Started($"[{index}/{count}] {name}", firstEpoch, epochs, batchesPerEpoch);
        public void Batch(int epoch, long batch, double loss) => inner.Batch(epoch, batch, loss);
        public void Epoch(EpochMetrics metrics) => inner.Epoch(metrics);
        public void Message(string text) => inner.Message(text);
    }
}
