using System.Text.Json;
using Hybrid.Experiments.Train;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Lns;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// Hybrid's main job: the same model, data, seed and epochs trained as TorchSharp float32 Adam,
/// float32 Madam, and the LNS synapse model at each bit width (codes updated in place by the
/// synapse backend); then what each cost in accuracy, memory, estimated energy and time.
/// Every row is its own run folder under rows/, so an interrupted comparison resumes where it
/// stopped: finished rows are read back, a half-trained row continues from its checkpoint.
/// </summary>
public static class CompareExperiment
{
    /// <summary>Runs (or resumes) the comparison into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<CompareRow> Run(CompareSettings s, RunFolder folder, bool resume,
        Func<Func<ITrainingObserver, IReadOnlyList<CompareRow>>, IReadOnlyList<CompareRow>> withProgress,
        CancellationToken cancel = default)
    {
        s.Validate();
        TorchRuntime.EnsureAvailable();
        var table = s.LoadEnergyTable();
        string configJson = JsonSerializer.Serialize(s, RunFolder.Json);
        // the run folder's checks (issue 15): no run to overwrite; or one to resume whose files pass their
        // checksums and whose settings match field by field
        if (resume) folder.RequireResumable(configJson);
        else folder.RequireNoRun("comparison");

        var resolved = DataChoice.Load(s.Data, flatten: false, s.Seed, s.TrainBase.Selection);
        using var data = resolved.Data;
        using var normalization = InputNormalization.Fit(TrainSettings.ParseNormalize(s.Normalize), data.TrainX);
        var spec = new ModelSpec(ModelSpec.ParseKind(s.Model), data.InputShape, data.Classes, s.Depth, s.Width);
        spec.Validate();
        long batches = (data.TrainCount + s.BatchSize - 1) / s.BatchSize;
        if (!resume) folder.WriteText(RunFolder.ConfigFile, configJson + "\n"); // once the data loaded: a bad --data leaves nothing

        var rows = withProgress(observer =>
        {
            var done = new List<CompareRow>();
            if (s.IncludeAdam) done.Add(RunFloat(s, "adam", spec, data, normalization, folder, resume, observer, table, batches, cancel));
            if (s.IncludeMadam) done.Add(RunFloat(s, "madam", spec, data, normalization, folder, resume, observer, table, batches, cancel));
            foreach (int bits in s.Bits)
                done.Add(RunLns(s, bits, spec, data, normalization, folder, resume, observer, table, batches, cancel));
            return done;
        });
        CompareReport.Write(folder, s, rows, table, resolved.Note, data.Summary);
        return rows;
    }

    private static CompareRow RunFloat(CompareSettings s, string kind, ModelSpec spec, DataSet data, InputNormalization norm,
        RunFolder folder, bool resume, ITrainingObserver observer, EnergyTable table, long batches, CancellationToken cancel)
    {
        var rowFolder = new RunFolder(Path.Combine(folder.Path, "rows", kind));
        if (TryReadRow(rowFolder, resume) is { } done) return done;
        var optSpec = new OptimizerSpec(kind, kind == "adam" ? s.AdamLr : s.MadamLr);
        string name = kind == "adam" ? "float32 Adam" : "float32 Madam";
        var job = Job(s, name, spec, data, norm, d => ModelFactory.Build(spec, s.Seed, d),
            m => OptimizerCatalog.Create(optSpec, m, (ulong)s.Seed), new { row = kind, optimizer = optSpec });
        var result = TrainingRun.Execute(job, rowFolder, observer, resume && rowFolder.HasCheckpoint, cancel);
        long p = spec.ParameterCount();
        var ledger = kind == "adam" ? UpdateCosts.Adam(p) : UpdateCosts.Madam(p);
        return SaveRow(rowFolder, new CompareRow(name, kind, 32, 0, result.FinalTestAccuracy, result.FinalTrainLoss,
            result.MeanEpochSeconds, 1000 * result.MeanEpochSeconds / batches, 4 * p, (kind == "adam" ? 8 : 4) * p,
            ledger.EnergyPj(table), p, 0, Status(result), result.Epochs.Count, $"rows/{kind}"));
    }

    private static CompareRow RunLns(CompareSettings s, int bits, ModelSpec spec, DataSet data, InputNormalization norm,
        RunFolder folder, bool resume, ITrainingObserver observer, EnergyTable table, long batches,
        CancellationToken cancel)
    {
        string key = $"lns-{bits:D2}";
        var rowFolder = new RunFolder(Path.Combine(folder.Path, "rows", key));
        if (TryReadRow(rowFolder, resume) is { } done) return done;
        float gamma = s.GammaFor(bits);
        var optSpec = s.LnsSpec(bits);
        string name = $"LNS {bits}-bit";
        // the same synapse model and optimiser as `hybrid train --optimizer lns-madam`
        var job = Job(s, name, spec, data, norm,
            d => OptimizerCatalog.PrepareModel(optSpec, ModelFactory.Build(spec, s.Seed, d)),
            m => OptimizerCatalog.Create(optSpec, m, (ulong)s.Seed),
            new { row = key, optimizer = optSpec });
        var result = TrainingRun.Execute(job, rowFolder, observer, resume && rowFolder.HasCheckpoint, cancel);
        var report = result.Optimizer ?? throw new InvalidOperationException("the LNS optimiser reported no costs.");
        long steps = Math.Max(1, report.Steps);
        return SaveRow(rowFolder, new CompareRow(name, "lns", bits, gamma, result.FinalTestAccuracy, result.FinalTrainLoss,
            result.MeanEpochSeconds, 1000 * result.MeanEpochSeconds / batches, report.WeightBytes, report.StateBytes,
            report.MeanStep.EnergyPj(table), (double)report.CodesChanged / steps, report.NonFiniteSkipped,
            Status(result), result.Epochs.Count, $"rows/{key}"));
    }

    private static TrainingJob Job(CompareSettings s, string name, ModelSpec spec, DataSet data, InputNormalization norm,
        Func<Device, nn.Module<Tensor, Tensor>> model, Func<nn.Module<Tensor, Tensor>, optim.Optimizer> optimizer, object rowConfig) => new()
    {
        Name = name,
        BuildModel = model,
        BuildOptimizer = optimizer,
        Data = data,
        Normalization = norm,
        Epochs = s.Epochs,
        BatchSize = s.BatchSize,
        Seed = s.Seed,
        Config = new { model = spec, data = data.Source, s.Epochs, s.BatchSize, s.Seed, s.Normalize, rowConfig },
    };

    private static string Status(TrainResult r) => r.Status.ToString().ToLowerInvariant();

    private static CompareRow? TryReadRow(RunFolder rowFolder, bool resume) =>
        resume && rowFolder.Has("row.json") ? rowFolder.ReadJson<CompareRow>("row.json") : null;

    private static CompareRow SaveRow(RunFolder rowFolder, CompareRow row)
    {
        if (row.Status == "completed") rowFolder.WriteJson("row.json", row);
        return row;
    }
}
