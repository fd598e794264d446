using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Hybrid.Training.Data;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Trainer;

/// <summary>
/// Minibatch training with evaluation after every epoch, written for long runs people trust:
/// deterministic for a seed (batch order is a pure function of (seed, epoch)), an atomic
/// checkpoint after every epoch, <c>resume</c> that continues to the same final weights as an
/// uninterrupted run, and a stop — keeping the last good checkpoint — when the loss stops
/// being finite. What survives the process goes to an <see cref="IRunStore"/> (the
/// experiments layer's run folder); the result, with the optimiser's costs, comes back as a value.
/// </summary>
public static class Trainer
{
    /// <summary>Runs (or, with <paramref name="resume"/>, continues) <paramref name="job"/> into <paramref name="store"/>.</summary>
    /// <remarks>Nothing is written before the first epoch's checkpoint: a run refused or failing before then leaves
    /// the store as it was, and config.json is (re)written together with that checkpoint.</remarks>
    /// <exception cref="InvalidOperationException">A fresh run into a store that already holds one, or a resume whose
    /// settings differ (the message names every differing field).</exception>
    /// <exception cref="InvalidDataException">A resumed run's files fail their checks (the message names the file).</exception>
    public static TrainResult Run(TrainingJob job, IRunStore store, ITrainingObserver observer, bool resume = false,
        CancellationToken cancel = default)
    {
        job.Validate();
        TorchRuntime.EnsureAvailable();
        string configJson = JsonSerializer.Serialize(job.Config, job.Config.GetType(), ConfigJson);
        if (!resume && store.HasCheckpoint)
            throw new InvalidOperationException(
                $"{store.Location} already holds a run (checkpoint.bin); use --resume to continue it or choose another --out.");
        if (resume)
        {
            if (!store.HasCheckpoint)
                throw new InvalidOperationException($"{store.Location} has no checkpoint to resume from (no epoch of a run there completed).");
            store.Verify();
            if (store.RecordedConfig is { } recorded)
                ConfigDiff.RequireSame(recorded, configJson, store.Location, $"{store.Location}/config.json", "epochs");
        }

        using var model = job.BuildModel(job.Device);
        using var optimizer = job.BuildOptimizer(model);
        var rows = new List<EpochMetrics>();
        int firstEpoch = 1;
        if (resume)
        {
            firstEpoch = LoadCheckpoint(store, configJson, model, optimizer, rows) + 1;
            // the metrics go after each epoch's checkpoint, so a kill between the two leaves them an epoch behind it; when
            // that epoch was the last no later epoch rewrites them (scripts/probe-files.sh caught a metrics.csv one row short),
            // so they are restated from the checkpoint, which holds every completed epoch's row
            if (rows.Count > 0) store.EpochsCompleted(rows);
            observer.Message($"resuming {store.Location} after epoch {firstEpoch - 1}");
        }
        long parameters = model.parameters().Sum(p => p.numel());
        var train = new Batches(job.Data.TrainX, job.Data.TrainY, job.BatchSize, job.Seed,
            normalization: job.Normalization, device: job.Device);
        var test = new Batches(job.Data.TestX, job.Data.TestY, 1000, job.Seed, shuffle: false,
            normalization: job.Normalization, device: job.Device);
        observer.Started(job.Name, firstEpoch, job.Epochs, train.Count);

        var status = RunStatus.Completed;
        string message = firstEpoch > job.Epochs
            ? $"the run already has {rows.Count} epochs (--epochs {job.Epochs} asks for no more); nothing trained"
            : firstEpoch > 1 ? $"trained epochs {firstEpoch}..{job.Epochs} ({job.Epochs} in all)" : $"trained {job.Epochs} epochs";
        bool begun = false;
        for (int epoch = firstEpoch; epoch <= job.Epochs; ++epoch)
        {
            if (cancel.IsCancellationRequested)
            {
                (status, message) = (RunStatus.Cancelled, $"cancelled before epoch {epoch}; checkpoint after epoch {epoch - 1} kept");
                break;
            }
            var (row, failure) = TrainEpoch(job, model, optimizer, train, test, epoch, observer);
            if (failure is null && Checkpoint.NonFinite(model) is long bad and > 0)
                failure = $"epoch {epoch} left {bad} weights NaN or infinite";
            if (failure is null && !double.IsFinite(row!.TestLoss))
                failure = $"the test loss became {row.TestLoss} after epoch {epoch}";
            if (failure is not null)
            {
                // the last checkpoint was written after a finite epoch with finite weights (checked above)
                (status, message) = (RunStatus.Diverged, failure + (epoch > 1
                    ? $"; the checkpoint after epoch {epoch - 1} is kept (its weights and losses are finite). Resuming would repeat " +
                      "the same steps: to go on, start a new run with a lower --lr"
                    : "; no epoch completed, so there is no checkpoint"));
                observer.Message(message);
                break;
            }
            rows.Add(row!);
            if (!begun) store.Begin(configJson); // config.json goes with this command's first checkpoint
            begun = true;
            store.WriteCheckpoint(stream => Checkpoint.Write(stream, configJson, epoch, rows, model, optimizer));
            store.EpochsCompleted(rows);
            observer.Epoch(row!);
            observer.EpochModel(epoch, model);
        }
        var report = (optimizer as IReportingOptimizer)?.Report();
        var drift = status == RunStatus.Completed && job.DriftTimes is { Count: > 0 } times && rows.Count > 0
            ? DriftEvaluation.Evaluate(model, test, times) : null;
        return new TrainResult(job.Name, status, message, rows, store.Location, parameters, report, drift);
    }

    /// <summary>How the trainer serialises a job's configuration (checkpoints compare it on resume).</summary>
    public static readonly JsonSerializerOptions ConfigJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // unset options (null) are left out: config.json records what was chosen, defaults stay implicit
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // reading: a key given twice is an error, not "the last one wins"
        AllowDuplicateProperties = false,
    };

    private static (EpochMetrics? Row, string? Failure) TrainEpoch(TrainingJob job, nn.Module<Tensor, Tensor> model,
        optim.Optimizer optimizer, Batches train, Batches test, int epoch, ITrainingObserver observer)
    {
        model.train();
        if (job.LearningRateFactor is { } factor)
            foreach (var g in optimizer.ParamGroups) g.LearningRate = g.InitialLearningRate * factor(epoch);
        double lossSum = 0;
        long correct = 0, seen = 0, examples = 0;
        double lr = optimizer.ParamGroups.First().LearningRate;
        var clock = Stopwatch.StartNew();
        foreach (var batch in train.Epoch(epoch))
        {
            using var b = batch;
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.call(b.X);
            var loss = Loss(logits, b.Y);
            double l = loss.item<float>();
            if (!double.IsFinite(l))
                return (null, $"the training loss became {l} at epoch {epoch}, batch {b.Index}");
            loss.backward();
            optimizer.step();
            job.AfterStep?.Invoke(epoch, b.Index);
            lossSum += l * b.Y.numel();
            correct += Correct(logits, b.Y);
            seen += b.Y.numel();
            examples += b.Size;
            observer.Batch(epoch, b.Index, l);
        }
        clock.Stop();
        var (testLoss, testAcc) = Evaluate(model, test);
        return (new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, testLoss, testAcc,
            examples / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, lr), null);
    }

    /// <summary>
    /// Mean cross-entropy of logits [B, C] against labels [B]; for a sequence model, of logits [B, T, C] against
    /// targets [B, T], over every position (a character model's loss per character).
    /// </summary>
    public static Tensor Loss(Tensor logits, Tensor y, nn.Reduction reduction = nn.Reduction.Mean) => y.dim() == 1
        ? nn.functional.cross_entropy(logits, y, reduction: reduction)
        : nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), y.reshape(-1), reduction: reduction);

    /// <summary>Predictions (argmax over the last dimension) equal to their labels, every position counted.</summary>
    public static long Correct(Tensor logits, Tensor y) => logits.argmax(-1).eq(y).sum().item<long>();

    /// <summary>Mean cross-entropy (per label: per position of a sequence model) and accuracy of <paramref name="model"/>
    /// over every batch of <paramref name="data"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, Batches data)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        long correct = 0, seen = 0;
        foreach (var batch in data.Epoch(0))
        {
            using var b = batch;
            using var scope = torch.NewDisposeScope();
            var logits = model.call(b.X);
            lossSum += Loss(logits, b.Y, nn.Reduction.Sum).item<float>();
            correct += Correct(logits, b.Y);
            seen += b.Y.numel();
        }
        model.train();
        return (lossSum / seen, (double)correct / seen);
    }

    /// <summary>Restores model, optimiser and metrics; returns the last completed epoch.</summary>
    private static int LoadCheckpoint(IRunStore store, string configJson, nn.Module model, optim.Optimizer optimizer,
        List<EpochMetrics> rows)
    {
        using var r = OpenCheckpoint(store);
        ConfigDiff.RequireSame(r.Config, configJson, store.Location, r.Location, "epochs");
        r.LoadInto(model, optimizer);
        rows.AddRange(r.Metrics);
        return r.Epoch;
    }

    /// <summary>
    /// Loads the weights of a run's last checkpoint into <paramref name="model"/> (built with the
    /// run's settings) and returns the epoch they are from and the metrics up to it.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint fails its checks (named in the message).</exception>
    public static (int Epoch, List<EpochMetrics> Metrics) LoadWeights(IRunStore store, nn.Module model)
    {
        using var r = OpenCheckpoint(store);
        r.LoadInto(model, null);
        return (r.Epoch, r.Metrics);
    }

    private static Checkpoint.Reader OpenCheckpoint(IRunStore store)
    {
        using var stream = store.OpenCheckpoint();
        return Checkpoint.Open(stream, store.CheckpointLocation);
    }
}
