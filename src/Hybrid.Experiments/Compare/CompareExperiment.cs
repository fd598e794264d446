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
        if (!resume && folder.Has("config.json"))
            throw new InvalidOperationException($"{folder.Path} already holds a comparison; use --resume to continue it or choose another --out.");
        if (resume && folder.Has("config.json") && !SameConfig(File.ReadAllText(folder.File("config.json")), configJson))
            throw new InvalidOperationException($"cannot resume {folder.Path}: its settings differ from this command's (see its config.json).");
        folder.WriteText("config.json", configJson + "\n");

        var resolved = DataChoice.Load(s.Data, flatten: false, s.Seed, s.TrainBase.Selection);
        using var data = resolved.Data;
        using var normalization = InputNormalization.Fit(TrainSettings.ParseNormalize(s.Normalize), data.TrainX);
        var spec = new ModelSpec(ModelSpec.ParseKind(s.Model), data.InputShape, data.Classes, s.Depth, s.Width);
        spec.Validate();
        ISynapseBackend backend = s.Backend == "managed" ? ManagedBackend.Instance : NativeCpuBackend.Instance;
        if (backend is NativeCpuBackend && !NativeCpuBackend.Probe().Available)
            throw new InvalidOperationException("the native-cpu backend is unavailable: " + NativeCpuBackend.Probe().Reason);
        long batches = (data.TrainCount + s.BatchSize - 1) / s.BatchSize;

        var rows = withProgress(observer =>
        {
            var done = new List<CompareRow>();
            if (s.IncludeAdam) done.Add(RunFloat(s, "adam", spec, data, normalization, folder, resume, observer, table, batches, cancel));
            if (s.IncludeMadam) done.Add(RunFloat(s, "madam", spec, data, normalization, folder, resume, observer, table, batches, cancel));
            foreach (int bits in s.Bits)
                done.Add(RunLns(s, bits, spec, data, normalization, backend, folder, resume, observer, table, batches, cancel));
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
            m => OptimizerCatalog.Create(optSpec, m.parameters(), (ulong)s.Seed), new { row = kind, optimizer = optSpec });
        var result = TrainingRun.Execute(job, rowFolder, observer, resume && rowFolder.HasCheckpoint, cancel);
        long p = spec.ParameterCount();
        var ledger = kind == "adam" ? UpdateCosts.Adam(p) : UpdateCosts.Madam(p);
        return SaveRow(rowFolder, new CompareRow(name, kind, 32, 0, result.FinalTestAccuracy, result.FinalTrainLoss,
            result.MeanEpochSeconds, 1000 * result.MeanEpochSeconds / batches, 4 * p, (kind == "adam" ? 8 : 4) * p,
            ledger.EnergyPj(table), p, 0, Status(result), result.Epochs.Count, $"rows/{kind}"));
    }

    private static CompareRow RunLns(CompareSettings s, int bits, ModelSpec spec, DataSet data, InputNormalization norm,
        ISynapseBackend backend, RunFolder folder, bool resume, ITrainingObserver observer, EnergyTable table, long batches,
        CancellationToken cancel)
    {
        string key = $"lns-{bits:D2}";
        var rowFolder = new RunFolder(Path.Combine(folder.Path, "rows", key));
        if (TryReadRow(rowFolder, resume) is { } done) return done;
        float gamma = s.GammaFor(bits);
        var settings = new LnsMadamSettings(new LnsFormat(bits, gamma, 1f), 1, (float)s.LnsLr,
            Rounding: s.NearestRounding ? Hybrid.Synapse.RoundingMode.Nearest : Hybrid.Synapse.RoundingMode.Stochastic, Seed: (ulong)s.Seed,
            NonFinite: NonFinitePolicy.Skip, Moment: s.MomentMode, Device: s.Device);
        string name = $"LNS {bits}-bit";
        var job = Job(s, name, spec, data, norm,
            d => LnsModels.FromFloat(ModelFactory.Build(spec, s.Seed, d), bits, gamma, s.MomentMode, backend),
            m => new LnsMadamOptimizer(m, settings),
            new { row = key, bits, gamma, moment = s.Moment, rounding = settings.Rounding, device = s.Device, lr = s.LnsLr, backend = s.Backend });
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

    private static bool SameConfig(string a, string b) =>
        System.Text.Json.Nodes.JsonNode.Parse(a)?.ToJsonString() == System.Text.Json.Nodes.JsonNode.Parse(b)?.ToJsonString();
}
