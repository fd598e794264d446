using System.Text.Json;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Synapse.Energy;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// Hybrid's main job: the same model, data and epochs trained as every row of the comparison
/// (<see cref="ComparePlan"/>) at every seed; then what each cost in accuracy, memory, estimated
/// full-step energy (<see cref="CompareEnergy"/>) and time. Every (row, seed) is its own run folder,
/// rows/&lt;key&gt;/seed-&lt;seed&gt;, so an interrupted comparison resumes where it stopped: finished runs are
/// read back, a half-trained one continues from its checkpoint (and a sweep can shard the runs).
/// </summary>
public static class CompareExperiment
{
    /// <summary>Runs (or resumes) the comparison into <paramref name="folder"/>; returns every run.</summary>
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
        if (!resume) folder.WriteText(RunFolder.ConfigFile, configJson + "\n"); // once the data loaded: a bad --data leaves nothing
        var plan = ComparePlan.Rows(s);
        var context = new RunContext(s, spec, data, normalization, folder, resume, table, cancel);
        var rows = withProgress(observer =>
        {
            var done = new List<CompareRow>();
            foreach (var row in plan)
                foreach (long seed in s.SeedList)
                    done.Add(RunOne(context, row, seed, observer));
            return done;
        });
        CompareReport.Write(folder, s, rows, table, resolved.Note, data.Summary);
        return rows;
    }

    private sealed record RunContext(CompareSettings S, ModelSpec Spec, DataSet Data, InputNormalization Norm, RunFolder Folder,
        bool Resume, EnergyTable Table, CancellationToken Cancel)
    {
        public long Batches => (Data.TrainCount + S.BatchSize - 1) / S.BatchSize;
    }

    private static CompareRow RunOne(RunContext c, RowPlan row, long seed, ITrainingObserver observer)
    {
        var s = c.S;
        string relative = $"rows/{row.Key}/seed-{seed}";
        var rowFolder = new RunFolder(Path.Combine(c.Folder.Path, relative));
        if (c.Resume && rowFolder.Has("row.json")) return rowFolder.ReadJson<CompareRow>("row.json");
        var job = new TrainingJob
        {
            Name = s.Seeds > 1 ? $"{row.Name} · seed {seed}" : row.Name,
            BuildModel = d => row.BuildModel(c.Spec, seed, d, s.Backend),
            BuildOptimizer = m => OptimizerCatalog.Create(row.Optimizer, m, (ulong)seed),
            Data = c.Data,
            Normalization = c.Norm,
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            Seed = seed,
            Config = new
            {
                model = c.Spec, data = c.Data.Source, s.Epochs, s.BatchSize, seed, s.Normalize,
                rowConfig = new { row = row.Key, optimizer = row.Optimizer, arithmetic = row.Arithmetic.ToString() },
            },
        };
        var result = TrainingRun.Execute(job, rowFolder, observer, c.Resume && rowFolder.HasCheckpoint, c.Cancel);
        var report = result.Optimizer;
        long p = c.Spec.ParameterCount();
        long steps = Math.Max(1, report?.Steps ?? 1);
        double changedPerStep = report is { Synapses: > 0 } ? (double)report.CodesChanged / steps : p;
        double changedFraction = report is { Synapses: > 0 } ? changedPerStep / report.Synapses : 1;
        var energy = Energy(c, row, changedFraction);
        var a = report?.Arithmetic;
        double quantised = a?.Quantizers.Values.Sum(q => (double)q.Elements) ?? 0;
        var r = new CompareRow(row.Key, row.Name, row.Kind, seed, row.StorageBits, row.Gamma, row.GemmFormat,
            result.FinalTestAccuracy, result.FinalTrainLoss, result.MeanEpochSeconds, 1000 * result.MeanEpochSeconds / c.Batches,
            report?.WeightBytes ?? 4 * p, report?.StateBytes ?? (row.Rule == UpdateRule.Adam ? 8 : 4) * p,
            energy.Step, energy.Compute, energy.Memory, energy.Passes, energy.Epoch, row.IsLns ? changedPerStep : p,
            report?.NonFiniteSkipped ?? 0,
            quantised > 0 ? a!.Quantizers.Values.Sum(q => (double)q.Saturated) / quantised : double.NaN,
            quantised > 0 ? a!.Quantizers.Values.Sum(q => (double)q.Underflowed) / quantised : double.NaN,
            a is null ? 0 : (double)a.Gemm.Saturations / steps,
            result.Status.ToString().ToLowerInvariant(), result.Epochs.Count, relative);
        if (r.Status == "completed") rowFolder.WriteJson("row.json", r);
        return r;
    }

    private static (double Step, double Compute, double Memory, IReadOnlyList<PassEnergy> Passes, double Epoch) Energy(
        RunContext c, RowPlan row, double changedFraction)
    {
        if (c.Spec.Kind != ModelKind.Mlp)
            return (double.NaN, double.NaN, double.NaN, Enum.GetValues<Pass>().Select(p => new PassEnergy(PassName(p), double.NaN, double.NaN)).ToList(), double.NaN);
        var priced = CompareEnergy.Ledger(c.Spec, row, c.S.BatchSize, changedFraction).Price(c.Table, c.S.Memory);
        long full = c.Data.TrainCount / c.S.BatchSize, rest = c.Data.TrainCount % c.S.BatchSize;
        double epoch = full * priced.TotalPj +
                       (rest > 0 ? CompareEnergy.Ledger(c.Spec, row, rest, changedFraction).Price(c.Table, c.S.Memory).TotalPj : 0);
        var passes = Enum.GetValues<Pass>().Select(p =>
        {
            var (compute, memory) = priced.OfPass(p);
            return new PassEnergy(PassName(p), compute, memory);
        }).ToList();
        return (priced.TotalPj, priced.ComputePj, priced.MemoryPj, passes, epoch);
    }

    /// <summary>A pass as reports spell it: forward, backward-data, backward-weight, update.</summary>
    public static string PassName(Pass p) => p switch
    {
        Pass.Forward => "forward",
        Pass.BackwardData => "backward-data",
        Pass.BackwardWeight => "backward-weight",
        _ => "update",
    };
}
