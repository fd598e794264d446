using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary><c>train</c> in a sweep: one <see cref="TrainSettings"/> per run, resumed from its checkpoint.</summary>
public static class TrainEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<TrainSettings> Experiment = new()
    {
        Name = "train",
        Description = "one model, one optimiser (hybrid train)",
        DefaultSettings = new TrainSettings(),
        Check = s => s.Validate(),
        Estimate = s => CostModel.Training(s.Model, s.Depth, s.Width, s.Bias, s.Data, s.TrainSize, s.Epochs),
        Headlines = _ => [new("test_accuracy", true), new("train_loss", false)],
        Execute = Run,
    };

    private static ExperimentOutcome Run(TrainSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var (job, _) = s.BuildJob();
        using var data = job.Data;
        using var normalization = job.Normalization;
        var r = TrainingRun.Execute(job, folder, observer, resume: folder.HasCheckpoint, cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["epochs"] = r.Epochs.Count,
            ["parameters"] = r.Parameters,
        };
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (r.Epochs.Count > 0)
        {
            var last = r.Epochs[^1];
            metrics["test_accuracy"] = last.TestAccuracy;
            metrics["test_loss"] = last.TestLoss;
            metrics["train_accuracy"] = last.TrainAccuracy;
            metrics["train_loss"] = last.TrainLoss;
            metrics["best_test_accuracy"] = r.Epochs.Max(e => e.TestAccuracy);
            timing["epoch_seconds"] = r.MeanEpochSeconds;
            timing["examples_per_second"] = r.Epochs.Average(e => e.ExamplesPerSecond);
        }
        if (r.Optimizer is { } report)
        {
            long steps = Math.Max(1, report.Steps);
            metrics["weight_bytes"] = report.WeightBytes;
            metrics["state_bytes"] = report.StateBytes;
            metrics["codes_changed_per_step"] = (double)report.CodesChanged / steps;
            metrics["nonfinite_skipped"] = report.NonFiniteSkipped;
            metrics["update_energy_per_step_pj"] = report.MeanStep.EnergyPj(EnergyTable.Horowitz45nm, Events.Sram(8)); // the update alone, its bytes priced as 8 KB SRAM accesses
            if (report.Device is { } device)
            {
                metrics["device_pulses_per_step"] = device.Pulses / steps;
                metrics["device_programmed_per_step"] = device.Programmed / steps;
                metrics["device_energy_per_step_pj"] = device.Scale(1.0 / steps).EnergyPj(EnergyTable.Horowitz45nm);
            }
        }
        foreach (var d in r.Drift ?? [])
            metrics[$"test_accuracy_drift_{d.Seconds:R}s"] = d.TestAccuracy;
        return new ExperimentOutcome(ExperimentOutcome.StatusOf(r.Status), r.Message, metrics, timing);
    }
}

/// <summary><c>compare</c> in a sweep: one comparison per run, every row's numbers as <c>row.metric</c>.</summary>
public static class CompareEntry
{
    /// <summary>The registry entry.</summary>
    public static readonly Experiment<CompareSettings> Experiment = new()
    {
        Name = "compare",
        Description = "float32 Adam, float32 Madam and LNS synapses at several bit widths (hybrid compare)",
        DefaultSettings = new CompareSettings(CompareSettings.DefaultBits),
        Check = s => s.Validate(),
        Estimate = s => ComparePlan.Rows(s).Count * s.Seeds
                        * CostModel.Training(s.Model, s.Depth, s.Width, true, s.Data, s.TrainSize, s.Epochs),
        Headlines = s => RowKeys(s).Select(k => new HeadlineMetric($"{k}.test_accuracy", true)).ToList(),
        Execute = Run,
    };

    /// <summary>The rows' keys, in the comparison's order (<see cref="ComparePlan"/>): adam, madam, lns-16, …</summary>
    public static IEnumerable<string> RowKeys(CompareSettings s) => ComparePlan.Rows(s).Select(r => r.Key);

    private static ExperimentOutcome Run(CompareSettings s, RunFolder folder, ITrainingObserver observer, CancellationToken cancel)
    {
        var rows = CompareExperiment.Run(s, folder, resume: folder.Has("config.json"), body => body(observer), cancel);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            // one seed per sweep run (the sweep's seed axis); a compare with --seeds K adds "#seed" to tell its runs apart
            string k = s.Seeds > 1 ? $"{r.Key}#{r.Seed}" : r.Key;
            metrics[$"{k}.test_accuracy"] = r.TestAccuracy;
            metrics[$"{k}.train_loss"] = r.FinalTrainLoss;
            metrics[$"{k}.weight_bytes"] = r.WeightBytes;
            metrics[$"{k}.state_bytes"] = r.StateBytes;
            metrics[$"{k}.energy_per_step_pj"] = r.EnergyPerStepPj;
            metrics[$"{k}.codes_changed_per_step"] = r.CodesChangedPerStep;
            metrics[$"{k}.epochs"] = r.Epochs;
            timing[$"{k}.epoch_seconds"] = r.EpochSeconds;
            timing[$"{k}.step_ms"] = r.StepMilliseconds;
        }
        string status = rows.Any(r => r.Status == "cancelled") ? ExperimentOutcome.Cancelled
            : rows.Any(r => r.Status == "diverged") ? ExperimentOutcome.Diverged : ExperimentOutcome.Completed;
        string message = string.Join("; ", rows.Select(r => $"{r.Name}: {r.Status}"));
        return new ExperimentOutcome(status, message, metrics, timing);
    }
}

/// <summary>
/// A plan's cost estimate from settings alone: multiply-adds of the model's arithmetic, forward
/// and backward (≈ 3× forward) over the training set plus a forward pass over the test set per
/// epoch. Optimiser and data-loading work is left out; <c>sweep plan</c> turns it into time with
/// the speed measured on the sweep's finished runs.
/// </summary>
public static class CostModel
{
    /// <summary>(input shape, classes, train examples, test examples) of a data choice, as far as it is known without loading it.</summary>
    public static (long[] Shape, int Classes, long Train, long Test) DataShape(string? data, int? trainSize)
    {
        var name = data?.Trim().ToLowerInvariant();
        bool synthetic = name is "teacher" or "mixture" || (name is null && !DataSets.FashionMnistInstalled);
        var (shape, classes, train, test) = synthetic
            ? (new long[] { 32 }, 10, 10_000L, 2_000L)
            : (new long[] { 1, 28, 28 }, 10, 60_000L, 10_000L); // MNIST, Fashion-MNIST, and the guess for a folder
        return (shape, classes, trainSize ?? train, test);
    }

    /// <summary>Multiply-adds of training one model for <paramref name="epochs"/> epochs.</summary>
    public static double Training(string model, int depth, int width, bool bias, string? data, int? trainSize, int epochs)
    {
        var (shape, classes, train, test) = DataShape(data, trainSize);
        double perExample;
        try
        {
            var kind = ModelSpec.ParseKind(model);
            if (kind == ModelKind.Mlp) shape = [shape.Aggregate(1L, (a, b) => a * b)];
            var spec = new ModelSpec(kind, shape, classes, depth, width, Bias: bias);
            perExample = spec.ParameterCount();
            if (kind == ModelKind.Cnn && shape.Length == 3)
            {
                // the convolutions reuse their weights at every position: conv1 at H×W, conv2 after a 2×2 pool
                long h = shape[1], w = shape[2];
                perExample += h * w * ModelSpec.CnnChannels1 * 9.0 * shape[0]
                              + (h / 2) * (w / 2) * ModelSpec.CnnChannels2 * 9.0 * ModelSpec.CnnChannels1;
            }
        }
        catch (ArgumentException)
        {
            return double.NaN; // an invalid model: validation names it
        }
        return epochs * perExample * (3.0 * train + test);
    }
}
