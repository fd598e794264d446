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
    private const string CheckpointMagic = "HYBRID-CHECKPOINT-1";

    /// <summary>Runs (or, with <paramref name="resume"/>, continues) <paramref name="job"/> into <paramref name="store"/>.</summary>
    /// <exception cref="InvalidOperationException">A fresh run into a store that already holds one, or a resume whose config differs.</exception>
    public static TrainResult Run(TrainingJob job, IRunStore store, ITrainingObserver observer, bool resume = false,
        CancellationToken cancel = default)
    {
        job.Validate();
        TorchRuntime.EnsureAvailable();
        string configJson = JsonSerializer.Serialize(job.Config, job.Config.GetType(), ConfigJson);
        if (!resume && store.HasCheckpoint)
            throw new InvalidOperationException(
                $"{store.Location} already holds a run (checkpoint.bin); use --resume to continue it or choose another --out.");
        if (resume && !store.HasCheckpoint)
            throw new InvalidOperationException($"{store.Location} has no checkpoint to resume from.");

        using var model = job.BuildModel(job.Device);
        using var optimizer = job.BuildOptimizer(model);
        var rows = new List<EpochMetrics>();
        int firstEpoch = 1;
        if (resume)
        {
            firstEpoch = LoadCheckpoint(store, configJson, model, optimizer, rows) + 1;
            observer.Message($"resuming {store.Location} after epoch {firstEpoch - 1}");
        }
        store.Begin(configJson); // after the checks: a refused command changes nothing
        long parameters = model.parameters().Sum(p => p.numel());
        var train = new Batches(job.Data.TrainX, job.Data.TrainY, job.BatchSize, job.Seed,
            normalization: job.Normalization, device: job.Device);
        var test = new Batches(job.Data.TestX, job.Data.TestY, 1000, job.Seed, shuffle: false,
            normalization: job.Normalization, device: job.Device);
        observer.Started(job.Name, firstEpoch, job.Epochs, train.Count);

        var status = RunStatus.Completed;
        string message = $"trained {job.Epochs} epochs";
        for (int epoch = firstEpoch; epoch <= job.Epochs; ++epoch)
        {
            if (cancel.IsCancellationRequested)
            {
                (status, message) = (RunStatus.Cancelled, $"cancelled before epoch {epoch}; checkpoint after epoch {epoch - 1} kept");
                break;
            }
            var (row, failure) = TrainEpoch(job, model, optimizer, train, test, epoch, observer);
            if (failure is not null)
            {
                (status, message) = (RunStatus.Diverged, failure + (epoch > 1
                    ? $"; the checkpoint after epoch {epoch - 1} is kept (resume from it with a lower learning rate)"
                    : "; no epoch completed, so there is no checkpoint"));
                observer.Message(message);
                break;
            }
            rows.Add(row!);
            SaveCheckpoint(store, configJson, epoch, model, optimizer, rows);
            store.EpochsCompleted(rows);
            observer.Epoch(row!);
        }
        var report = (optimizer as IReportingOptimizer)?.Report();
        return new TrainResult(job.Name, status, message, rows, store.Location, parameters, report);
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
    };

    private static (EpochMetrics? Row, string? Failure) TrainEpoch(TrainingJob job, nn.Module<Tensor, Tensor> model,
        optim.Optimizer optimizer, Batches train, Batches test, int epoch, ITrainingObserver observer)
    {
        model.train();
        if (job.LearningRateFactor is { } factor)
            foreach (var g in optimizer.ParamGroups) g.LearningRate = g.InitialLearningRate * factor(epoch);
        double lossSum = 0;
        long correct = 0, seen = 0;
        double lr = optimizer.ParamGroups.First().LearningRate;
        var clock = Stopwatch.StartNew();
        foreach (var batch in train.Epoch(epoch))
        {
            using var b = batch;
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.call(b.X);
            var loss = nn.functional.cross_entropy(logits, b.Y);
            double l = loss.item<float>();
            if (!double.IsFinite(l))
                return (null, $"the training loss became {l} at epoch {epoch}, batch {b.Index}");
            loss.backward();
            optimizer.step();
            job.AfterStep?.Invoke(epoch, b.Index);
            lossSum += l * b.Size;
            correct += logits.argmax(1).eq(b.Y).sum().item<long>();
            seen += b.Size;
            observer.Batch(epoch, b.Index, l);
        }
        clock.Stop();
        var (testLoss, testAcc) = Evaluate(model, test);
        return (new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, testLoss, testAcc,
            seen / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, lr), null);
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> over every batch of <paramref name="data"/>.</summary>
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
            lossSum += nn.functional.cross_entropy(logits, b.Y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(b.Y).sum().item<long>();
            seen += b.Size;
        }
        model.train();
        return (lossSum / seen, (double)correct / seen);
    }

    private static void SaveCheckpoint(IRunStore store, string configJson, int epoch, nn.Module model,
        optim.Optimizer optimizer, List<EpochMetrics> rows) =>
        store.WriteCheckpoint(stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(CheckpointMagic);
            w.Write(configJson);
            w.Write(epoch);
            w.Write(EpochMetrics.Csv(rows));
            model.save(w);
            OptimizerCatalog.Save(optimizer, w);
        });

    /// <summary>Restores model, optimiser and metrics; returns the last completed epoch.</summary>
    private static int LoadCheckpoint(IRunStore store, string configJson, nn.Module model, optim.Optimizer optimizer,
        List<EpochMetrics> rows)
    {
        using var r = OpenCheckpoint(store, out string saved, out int epoch, rows);
        if (WithoutEpochs(saved) != WithoutEpochs(configJson))
            throw new InvalidOperationException(
                $"cannot resume {store.Location}: its settings differ from this command's (only --epochs may change). " +
                "Resume with the settings in its config.json, or start a new run.");
        model.load(r);
        OptimizerCatalog.Load(optimizer, r);
        return epoch;
    }

    /// <summary>
    /// Loads the weights of a run's last checkpoint into <paramref name="model"/> (built with the
    /// run's settings) and returns the epoch they are from and the metrics up to it.
    /// </summary>
    public static (int Epoch, List<EpochMetrics> Metrics) LoadWeights(IRunStore store, nn.Module model)
    {
        var rows = new List<EpochMetrics>();
        using var r = OpenCheckpoint(store, out _, out int epoch, rows);
        model.load(r);
        return (epoch, rows);
    }

    private static BinaryReader OpenCheckpoint(IRunStore store, out string config, out int epoch, List<EpochMetrics> rows)
    {
        var path = $"the checkpoint of {store.Location}";
        var r = new BinaryReader(store.OpenCheckpoint(), Encoding.UTF8);
        try
        {
            if (r.ReadString() != CheckpointMagic) throw new InvalidDataException($"{path} is not a Hybrid checkpoint.");
            config = r.ReadString();
            epoch = r.ReadInt32();
            rows.AddRange(EpochMetrics.ParseCsv(r.ReadString()));
            return r;
        }
        catch (EndOfStreamException)
        {
            r.Dispose();
            throw new InvalidDataException($"{path} is truncated.");
        }
        catch
        {
            r.Dispose();
            throw;
        }
    }

    /// <summary>A config's JSON without its "epochs" (the one setting a resume may change).</summary>
    private static string WithoutEpochs(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json);
        if (node is System.Text.Json.Nodes.JsonObject o) o.Remove("epochs");
        return node?.ToJsonString() ?? "";
    }
}
