using System.Globalization;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;

namespace Hybrid.Experiments.Train;

/// <summary>
/// <c>hybrid train</c>: one model, one optimiser, one data set; a run folder with config.json (written by the trainer
/// with its first checkpoint), metrics.csv, summary.json and the learning curve. A resume may change only
/// <c>--epochs</c>. In a sweep, one <see cref="TrainSettings"/> per run, resumed from its checkpoint; metrics of the
/// last epoch (<c>test_accuracy</c>, <c>train_loss</c>, …), the full-step energy of the trained model (<see cref="TrainRun"/>)
/// and, for the synapse model, its memory and update energy.
/// </summary>
public sealed class TrainExperiment : Experiment<TrainSettings, TrainRun>
{
    /// <inheritdoc />
    public override string Name => "train";
    /// <inheritdoc />
    public override string Description => "Train one model with one optimiser and write a run folder (config, metrics, summary, learning curve).";
    /// <inheritdoc />
    public override string ShortDescription => "one model, one optimiser (hybrid train)";
    /// <inheritdoc />
    public override TrainSettings Defaults => new();
    /// <inheritdoc />
    public override IReadOnlyList<string> MayChangeOnResume => ["epochs"];
    /// <inheritdoc />
    public override bool RecordsConfig => false;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<TrainSettings>> DefineOptions(OptionBuilder<TrainSettings> o) =>
    [
        o.Model(s => s.Model, (s, v) => s with { Model = v }, ModelOptionTexts.ModelKinds),
        o.Depth(s => s.Depth, (s, v) => s with { Depth = v }, ModelOptionTexts.DepthMeaning),
        o.Width(s => s.Width, (s, v) => s with { Width = v }, ModelOptionTexts.WidthMeaning),
        o.Text("--activation", "relu, tanh, gelu or relu-sqrt2.", (s, v) => s with { Activation = v }, s => s.Activation),
        o.Flag("--no-bias", "Layers without biases.", (s, v) => v ? s with { Bias = false } : s),
        o.Number("--init-scale", "Multiplies the default initialisation.", (s, v) => s with { InitScale = v }, s => s.InitScale),
        .. OptimizerSpecOptions.Of(o, s => s.Optimizer, (s, p) => s with { Optimizer = p }),
        o.Epochs(s => s.Epochs, (s, v) => s with { Epochs = v }, "Epochs to train."),
        o.BatchSize(s => s.BatchSize, (s, v) => s with { BatchSize = v }),
        o.Seed(s => s.Seed, (s, v) => s with { Seed = v }, "Seed of the initial weights, batch order and rounding."),
        o.Text("--device", "cpu, cuda or cuda:N.", (s, v) => s with { Device = v }, s => s.Device),
        o.Data(s => s.Data, (s, v) => s with { Data = v }),
        o.Task(s => s.Task, (s, v) => s with { Task = v }),
        o.TrainSize(s => s.TrainSize, (s, v) => s with { TrainSize = v },
            "Train on n examples: the first n of a random permutation of the training set drawn from --seed (not class-balanced; the test set stays whole)."),
        o.Normalize(s => s.Normalize, (s, v) => s with { Normalize = v }),
        o.Text("--lr-schedule", "constant or cosine (annealed to 0 over the epochs).", (s, v) => s with { LrSchedule = v }, s => s.LrSchedule),
        o.Text("--drift-time", "After training, evaluate the analog weights drifted by these times (e.g. 1h,1d,1mo; units s, min, h, d, w, mo, y).",
            (s, v) => s with { DriftTimes = Hybrid.Training.Trainer.DriftEvaluation.ParseTimes(v) },
            s => s.DriftTimes is { } t ? string.Join(",", t.Select(x => x.ToString("R", CultureInfo.InvariantCulture) + "s")) : null),
        o.Int("--sram-kib", "On-chip SRAM (KiB; 0: all DRAM) of the memory model pricing the recorded full step (energy_per_step_pj); " +
            "a size the default energy table prices (16 … 65536). Changes the energy, not the training.",
            (s, v) => s with { SramKib = v }, s => s.SramKib ?? TrainSettings.DefaultSramKib),
    ];

    /// <inheritdoc />
    public override void Validate(TrainSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(TrainSettings s) => CostModel.Training(s.Model, s.Depth, s.Width, s.Bias, s.Data, s.TrainSize, s.Epochs);

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(TrainSettings s) => [new("test_accuracy", true), new("train_loss", false)];

    /// <inheritdoc />
    public override TrainRun Run(TrainSettings s, ExperimentContext context)
    {
        var (job, note) = s.BuildJob();
        using var data = job.Data;
        using var normalization = job.Normalization;
        context.Log($"{job.Name}  data: {data.Summary}");
        context.Log(note);
        context.Begin();
        var result = context.WithProgress(observer => TrainingRun.Execute(job, context.Folder, observer, context.Resume, context.Cancel));
        return new TrainRun(result, StepEnergy(s, job, data, result));
    }

    /// <summary>The step's update rule as the ledger prices it, or null for an optimiser it has no rule for (SGD, Fromage,
    /// Nero, Muon, float weights on analog devices, Tiki-Taka: their step energy is not reported rather than mispriced).</summary>
    public static UpdateRule? UpdateRuleOf(OptimizerSpec o) => o.OnFloatDevices ? null : o.Key switch
    {
        "adam" or "mup-adam" => UpdateRule.Adam,
        "madam" or "kernel-madam" => UpdateRule.Madam,
        "lns-madam" => UpdateRule.LnsMadam,
        _ => null,
    };

    // the full step of one full batch of the trained model: the model as built (its layers' formats; the values do not
    // enter the counts) traced on two training examples and priced with the default table and memory (--sram-kib, default 1 MiB SRAM,
    // compulsory traffic), the LNS update costed with the codes the run actually changed per step
    private static PricedStep? StepEnergy(TrainSettings s, TrainingJob job, DataSet data, TrainResult r)
    {
        if (UpdateRuleOf(s.Optimizer) is not { } rule || r.Epochs.Count == 0) return null;
        using var scope = torch.NewDisposeScope();
        using var model = job.BuildModel(torch.CPU);
        using var sample = data.TrainX.narrow(0, 0, Math.Min(2, data.TrainCount));
        double changed = r.Optimizer is { Synapses: > 0 } rep ? (double)rep.CodesChanged / Math.Max(1, rep.Steps) / rep.Synapses : 1;
        var update = new UpdateCostSpec(rule, s.Optimizer.MomentMode, s.Optimizer.RoundingMode, changed);
        return ModelLedger.Price(model, sample, EnergyTable.Horowitz45nm, s.Memory, update, batch: s.BatchSize);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(TrainSettings s, TrainRun run, RunFolder folder)
    {
        var r = run.Training;
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
        if (run.Step is { } step)
        {
            metrics["energy_per_step_pj"] = step.TotalPj;
            metrics["compute_per_step_pj"] = step.ComputePj;
            metrics["memory_per_step_pj"] = step.MemoryPj;
        }
        foreach (var d in r.Drift ?? [])
            metrics[$"test_accuracy_drift_{d.Seconds.ToString("R", CultureInfo.InvariantCulture)}s"] = d.TestAccuracy;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{r.Status}: {r.Message}; final test accuracy {100 * r.FinalTestAccuracy:F2}%, {r.MeanEpochSeconds:F1} s/epoch. Run folder: {folder.Path}");
        return new ExperimentOutcome(r.Status, r.Message, metrics, timing)
        {
            DivergedRuns = r.Status == RunStatus.Diverged ? 1 : 0,
            Summary = ConsoleSummary.Empty.Line(line),
        };
    }
}

/// <summary>What a <c>hybrid train</c> run produced: the training, and the priced full step of its model (null for an
/// optimiser the ledger has no update rule for, <see cref="TrainExperiment.UpdateRuleOf"/>).</summary>
public sealed record TrainRun(TrainResult Training, PricedStep? Step);
