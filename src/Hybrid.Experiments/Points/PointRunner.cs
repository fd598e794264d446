using Hybrid.Experiments.Data;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Points;

/// <summary>
/// Runs training points, each a resumable unit in its own run folder (<c>points/&lt;key&gt;/</c>: the
/// trainer's config.json, metrics.csv and checkpoint, summary.json, learning-curve.png, and unit.json
/// when it has finished, <see cref="UnitStore"/>). In order, one after another: finished points are read
/// back, a half-trained one continues from its checkpoint, the rest start.
/// </summary>
/// <remarks>
/// The many small runs are not batched into one model: the Part II optimisers normalise per
/// tensor or per neuron, so a stacked "many runs in one tensor" model would need its own
/// optimiser kernels; on two cores the saving would also be small.
/// </remarks>
public static class PointRunner
{
    /// <summary>
    /// The body of an experiment made of training points (depth, transfer): loads the data first (a bad
    /// <c>--data</c> is refused before the folder is written), records the settings, then runs every point
    /// with progress. The data stays in <paramref name="cache"/> (the caller's).
    /// </summary>
    public static (List<PointResult> Results, DataSet Data, string Note) RunGrid(ExperimentContext context, DataSpec data,
        IReadOnlyList<TrainingPoint> points, DataCache cache)
    {
        var (loaded, _, note) = cache.Get(data);
        context.Begin();
        context.Log($"{points.Count} runs");
        var results = context.WithProgress(observer => RunAll(points, context.Folder, observer, cancel: context.Cancel, cache: cache));
        return (results, loaded, note);
    }

    /// <summary>Runs (or reads back) every point in order; stops early, returning what ran, when cancelled.</summary>
    /// <param name="points">The points (validated by the host with their experiment's settings).</param>
    /// <param name="folder">The experiment's folder; points go under points/.</param>
    /// <param name="observer">Progress.</param>
    /// <param name="keepCheckpoints">Keep each finished point's checkpoint.bin (otherwise deleted once unit.json is written: a 32-layer checkpoint is megabytes, and a grid has hundreds).</param>
    /// <param name="cancel">Stops after the current epoch.</param>
    /// <param name="cache">Loaded data to share (the caller's, kept); null loads and frees its own.</param>
    public static List<PointResult> RunAll(IReadOnlyList<TrainingPoint> points, RunFolder folder, ITrainingObserver observer,
        bool keepCheckpoints = false, CancellationToken cancel = default, DataCache? cache = null)
    {
        using var own = cache is null ? new DataCache() : null;
        cache ??= own!;
        var results = new List<PointResult>();
        for (int i = 0; i < points.Count && !cancel.IsCancellationRequested; ++i)
        {
            var point = points[i];
            var pointFolder = new RunFolder(Path.Combine(folder.Path, "points", point.Key));
            results.Add(Run(point, pointFolder, cache, new Numbered(observer, i + 1, points.Count), keepCheckpoints, cancel));
        }
        return results;
    }

    /// <summary>Runs one point in <paramref name="folder"/>, or reads it back when it has finished there.</summary>
    public static PointResult Run(TrainingPoint point, RunFolder folder, DataCache cache, ITrainingObserver observer,
        bool keepCheckpoints = false, CancellationToken cancel = default)
    {
        if (UnitStore.Find<TrainingPoint, PointResult>(folder, point) is { } done) return done;
        var (data, normalization, note) = cache.Get(point.Data);
        var spec = point.Spec(data.InputShape, data.Classes);
        spec.Validate();
        var optimizer = point.OptimizerSpec;
        double decay = point.LrDecay;
        var job = new TrainingJob
        {
            Name = point.Name,
            // as hybrid train: lns-madam trains the model's synapse twin, tiki-taka its device twin (every other optimiser the model itself)
            BuildModel = d => OptimizerCatalog.PrepareModel(optimizer, ModelFactory.Build(spec, point.Seed, d), (ulong)point.Seed),
            BuildOptimizer = m => OptimizerCatalog.Create(optimizer, m, (ulong)point.Seed),
            Data = data,
            Normalization = normalization,
            Epochs = point.Epochs,
            BatchSize = point.BatchSize,
            Seed = point.Seed,
            Config = point,
            DataNote = note,
            LearningRateFactor = decay == 1 ? null : e => Math.Pow(decay, e - 1),
        };
        var run = TrainingRun.Execute(job, folder, observer, folder.HasCheckpoint, cancel);
        var last = run.Epochs.Count > 0 ? run.Epochs[^1] : null;
        var result = new PointResult(point, run.Status, run.Epochs.Count,
            last?.TrainAccuracy ?? double.NaN, last?.TrainLoss ?? double.NaN, last?.TestAccuracy ?? double.NaN,
            run.Epochs.Sum(e => e.EpochSeconds));
        if (run.Status != RunStatus.Cancelled)
        {
            UnitStore.Write(folder, point, result);
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

    /// <summary>The outcome of a set of points: stopped when any point was (or some never ran); a diverged point is a result
    /// (counted in <see cref="ExperimentOutcome.DivergedRuns"/>), not a failure.</summary>
    public static ExperimentOutcome Outcome(IReadOnlyList<TrainingPoint> planned, IReadOnlyList<PointResult> results,
        IReadOnlyDictionary<string, double> metrics, ConsoleSummary summary)
    {
        int cancelled = results.Count(r => r.Status == RunStatus.Cancelled) + planned.Count - results.Count;
        int diverged = results.Count(r => r.Diverged);
        var status = cancelled > 0 ? RunStatus.Cancelled : RunStatus.Completed;
        string message = $"{results.Count} points: {results.Count(r => r.Completed)} completed, {diverged} diverged, {cancelled} cancelled";
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["point_seconds"] = results.Sum(r => r.Seconds) };
        return new ExperimentOutcome(status, message, metrics, timing) { DivergedRuns = diverged, Summary = summary };
    }

    /// <summary>The training cost of every point, in multiply-adds (<see cref="CostModel.Training"/>).</summary>
    public static double Cost(IEnumerable<TrainingPoint> points) =>
        points.Sum(p => CostModel.Training(p.Model, p.Depth, p.Width, p.Bias, p.Data.Data, p.Data.TrainSize, p.Epochs));

    // Prefixes each run's name with its place in the list ("[3/90] adam lr 0.001 · …").
    private sealed class Numbered(ITrainingObserver inner, int index, int count) : ITrainingObserver
    {
        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) =>
            inner.Started($"[{index}/{count}] {name}", firstEpoch, epochs, batchesPerEpoch);
        public void Batch(int epoch, long batch, double loss) => inner.Batch(epoch, batch, loss);
        public void Epoch(EpochMetrics metrics) => inner.Epoch(metrics);
        public void Message(string text) => inner.Message(text);
    }
}
