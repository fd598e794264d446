using System.Globalization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
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

/// <summary>What <c>hybrid compare</c> produced: every (row, seed) run, in plan order.</summary>
public sealed record CompareResult(IReadOnlyList<CompareRow> Rows);

/// <summary>The config of one (row, seed) run of a comparison: its unit.json config (the comparison's settings are part of it,
/// so a row copied from a comparison with other settings is refused).</summary>
public sealed record CompareUnit(string Row, long Seed, CompareSettings Comparison);

/// <summary>
/// Hybrid's main job, <c>hybrid compare</c>: the same model, data and epochs trained as every row of the comparison
/// (<see cref="ComparePlan"/>) at every seed; then what each cost in accuracy, memory, estimated full-step energy
/// (<see cref="CompareEnergy"/>) and time. Every (row, seed) is a resumable unit in its own run folder,
/// rows/&lt;key&gt;/seed-&lt;seed&gt;: finished runs are read back, a half-trained one continues from its checkpoint. In a
/// sweep, every row's numbers are metrics <c>row.metric</c> (<c>lns-08.test_accuracy</c>; <c>#seed</c> added with
/// <c>--seeds</c> &gt; 1); a comparison with a diverged row is a diverged run.
/// </summary>
public sealed class CompareExperiment : Experiment<CompareSettings, CompareResult>
{
    /// <inheritdoc />
    public override string Name => "compare";
    /// <inheritdoc />
    public override string Description => "Train the same model as float32 Adam and Madam, FP8/INT8 baselines and LNS synapses (weights only, " +
                                          "or every tensor of the step); report accuracy over seeds, memory, full-step energy and time.";
    /// <inheritdoc />
    public override string ShortDescription => "float32 Adam, float32 Madam and LNS synapses at several bit widths (hybrid compare)";
    /// <inheritdoc />
    public override CompareSettings Defaults => CompareSettings.ForPreset(CompareSettings.WeightsOnly);
    /// <inheritdoc />
    public override CompareSettings Quick => Defaults with { Epochs = 2 };

    /// <inheritdoc />
    protected override CompareSettings Base(GivenOptions given)
    {
        var p = CompareSettings.ForPreset(given.Get("--preset", CompareSettings.WeightsOnly));
        return given.Quick ? p with { Epochs = 2 } : p;
    }

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<CompareSettings>> DefineOptions(OptionBuilder<CompareSettings> o) => CompareOptions.Of(o);

    /// <inheritdoc />
    public override void Validate(CompareSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(CompareSettings s) =>
        ComparePlan.Rows(s).Count * s.Seeds * CostModel.Training(s.Model, s.Depth, s.Width, true, s.Data, s.TrainSize, s.Epochs);

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(CompareSettings s) => CompareReport.IsText(s)
        ? RowKeys(s).Select(k => new HeadlineMetric($"{k}.test_bits_per_char", false)).ToList()
        : RowKeys(s).Select(k => new HeadlineMetric($"{k}.test_accuracy", true)).ToList();

    /// <summary>The rows' keys, in the comparison's order (<see cref="ComparePlan"/>): adam, madam, lns-16, …</summary>
    public static IEnumerable<string> RowKeys(CompareSettings s) => ComparePlan.Rows(s).Select(r => r.Key);

    /// <inheritdoc />
    /// <remarks>Every metric begins with its row's key, and with <c>--seeds</c> &gt; 1 its seed (<see cref="MetricKey"/>).</remarks>
    public override IReadOnlyList<string> MetricKeys(CompareSettings s) =>
        (from k in RowKeys(s) from seed in s.SeedList select MetricKey(s, k, seed)).ToList();

    /// <summary>The prefix of one (row, seed)'s metrics: the row's key, "#seed" added with <c>--seeds</c> &gt; 1 to tell its runs apart
    /// (a sweep gives one seed per run through its seed axis).</summary>
    public static string MetricKey(CompareSettings s, string row, long seed) =>
        s.Seeds > 1 ? string.Create(CultureInfo.InvariantCulture, $"{row}#{seed}") : row;

    /// <inheritdoc />
    public override CompareResult Run(CompareSettings s, ExperimentContext context)
    {
        var table = s.LoadEnergyTable();
        var folder = context.Folder;
        var resolved = DataChoice.Load(DataChoice.ForModel(s.Data, s.Model), flatten: false, s.Seed, s.TrainBase.Selection);
        using var data = resolved.Data;
        using var normalization = InputNormalization.Fit(DataChoice.ParseNormalize(s.Normalize), data.TrainX);
        var spec = new ModelSpec(ModelSpec.ParseKind(s.Model), data.InputShape, data.Classes, s.Depth, s.Width);
        spec.Validate();
        var plan = ComparePlan.Rows(s);
        var networks = Networks(s, spec, data, plan);
        context.Begin(); // once the data loaded and every row's ledger is priceable: a bad --data or table leaves nothing
        var run = new RunContext(s, spec, data, normalization, folder, table, networks, context.Cancel);
        var rows = context.WithProgress(observer =>
        {
            var done = new List<CompareRow>();
            foreach (var row in plan)
                foreach (long seed in s.SeedList)
                    done.Add(RunOne(run, row, seed, observer));
            return done;
        });
        CompareReport.Write(folder, s, rows, table, resolved.Note, data.Summary);
        return new CompareResult(rows);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(CompareSettings s, CompareResult result, RunFolder folder)
    {
        var rows = result.Rows;
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var timing = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            string k = MetricKey(s, r.Key, r.Seed);
            metrics[$"{k}.test_accuracy"] = r.TestAccuracy;
            if (double.IsFinite(r.TestLoss)) metrics[$"{k}.test_loss"] = r.TestLoss;
            if (CompareReport.IsText(s) && double.IsFinite(r.TestLoss)) metrics[$"{k}.test_bits_per_char"] = r.TestBitsPerCharacter;
            metrics[$"{k}.train_loss"] = r.FinalTrainLoss;
            metrics[$"{k}.weight_bytes"] = r.WeightBytes;
            metrics[$"{k}.state_bytes"] = r.StateBytes;
            metrics[$"{k}.energy_per_step_pj"] = r.EnergyPerStepPj;
            metrics[$"{k}.codes_changed_per_step"] = r.CodesChangedPerStep;
            metrics[$"{k}.epochs"] = r.Epochs;
            timing[$"{k}.epoch_seconds"] = r.EpochSeconds;
            timing[$"{k}.step_ms"] = r.StepMilliseconds;
        }
        var status = RunStatuses.Worst(rows.Select(r => r.Status));
        string message = string.Join("; ", rows.Select(r => $"{r.Name}: {r.Status.Name()}"));
        return new ExperimentOutcome(status, message, metrics, timing)
        {
            DivergedRuns = rows.Count(r => r.Status == RunStatus.Diverged),
            Summary = Table(CompareSummary.Of(rows, CompareReport.IsText(s)), CompareReport.IsText(s)).Note($"* {CompareReport.EnergyCaveat}"),
        };
    }

    // the console's table: one row per comparison row, over its seeds
    private static ConsoleSummary Table(IReadOnlyList<CompareSummary> rows, bool text)
    {
        var reference = CompareReport.Reference(rows);
        var inv = CultureInfo.InvariantCulture;
        return ConsoleSummary.Empty.Table(
            ["row", "bits", "GEMM", CompareReport.MetricHeader(text), $"vs {reference?.Name}", "µJ/step*", "compute", "memory", "mJ/epoch*", "weights KiB", "s/epoch"],
            rows.Select(r => (IReadOnlyList<string>)[r.Name, r.BitsPerSynapse.ToString(inv), r.GemmFormat,
                CompareReport.Metric(r, text), reference is null ? "—" : CompareReport.Difference(r, reference, text),
                string.Create(inv, $"{r.EnergyPerStepPj.Mean / 1e6:F1}"), string.Create(inv, $"{r.ComputePerStepPj / 1e6:F1}"),
                string.Create(inv, $"{r.MemoryPerStepPj / 1e6:F1}"), string.Create(inv, $"{r.EnergyPerEpochPj / 1e9:F2}"),
                string.Create(inv, $"{r.WeightBytes / 1024.0:F1}"), string.Create(inv, $"{r.EpochSeconds:F2}")]),
            [false, true, false, true, true, true, true, true, true, true, true]);
    }

    // a model that is not an MLP: every row's model traced once (on two training examples; the ledger scales per example),
    // and the energy table checked against every event of their steps
    private static IReadOnlyDictionary<string, NetworkSpec> Networks(CompareSettings s, ModelSpec spec, DataSet data, IReadOnlyList<RowPlan> plan)
    {
        var networks = new Dictionary<string, NetworkSpec>(StringComparer.Ordinal);
        if (spec.Kind == ModelKind.Mlp) return networks;
        using var sample = data.TrainX.narrow(0, 0, Math.Min(2, data.TrainCount));
        foreach (var row in plan) networks[row.Key] = CompareEnergy.Traced(spec, row, s.Seed, s.EffectiveBackend, sample);
        CompareEnergy.RequireEvents(s, networks, plan, s.LoadEnergyTable());
        return networks;
    }

    private sealed record RunContext(CompareSettings S, ModelSpec Spec, DataSet Data, InputNormalization Norm, RunFolder Folder,
        EnergyTable Table, IReadOnlyDictionary<string, NetworkSpec> Networks, CancellationToken Cancel)
    {
        public long Batches => (Data.TrainCount + S.BatchSize - 1) / S.BatchSize;
    }

    private static CompareRow RunOne(RunContext c, RowPlan row, long seed, ITrainingObserver observer)
    {
        var s = c.S;
        string relative = $"rows/{row.Key}/seed-{seed}";
        var rowFolder = new RunFolder(Path.Combine(c.Folder.Path, relative));
        var unit = new CompareUnit(row.Key, seed, s);
        // a finished row's folder is verified whole, as a resume verifies a run folder: the report's plots read its
        // metrics.csv, and a damaged checkpoint or config.json is named now rather than passed (scripts/probe-files.sh)
        if (UnitStore.IsFinished(rowFolder)) rowFolder.Verify();
        if (UnitStore.Find<CompareUnit, CompareRow>(rowFolder, unit) is { } finished) return finished;
        var job = new TrainingJob
        {
            Name = s.Seeds > 1 ? $"{row.Name} · seed {seed}" : row.Name,
            BuildModel = d => row.BuildModel(c.Spec, seed, d, s.EffectiveBackend),
            BuildOptimizer = m => OptimizerCatalog.Create(row.Optimizer, m, (ulong)seed),
            Data = c.Data,
            Normalization = c.Norm,
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            Seed = seed,
            LearningRateFactor = s.LearningRateFactor,
            Config = new
            {
                model = c.Spec, data = c.Data.Source, s.Epochs, s.BatchSize, seed, s.Normalize, lrSchedule = s.LrSchedule,
                rowConfig = new { row = row.Key, optimizer = row.Optimizer, arithmetic = row.Arithmetic.ToString() },
            },
        };
        var result = TrainingRun.Execute(job, rowFolder, observer, rowFolder.HasCheckpoint, c.Cancel);
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
            result.Status, result.Epochs.Count, relative, result.Epochs.Count > 0 ? result.Epochs[^1].TestLoss : double.NaN);
        if (r.Status == RunStatus.Completed) UnitStore.Write(rowFolder, unit, r);
        return r;
    }

    private static (double Step, double Compute, double Memory, IReadOnlyList<PassEnergy> Passes, double Epoch) Energy(
        RunContext c, RowPlan row, double changedFraction)
    {
        StepLedger Of(long batch) => c.Networks.TryGetValue(row.Key, out var network)
            ? CompareEnergy.Ledger(network, row, batch, changedFraction)
            : CompareEnergy.Ledger(c.Spec, row, batch, changedFraction);
        var priced = Of(c.S.BatchSize).Price(c.Table, c.S.Memory);
        long full = c.Data.TrainCount / c.S.BatchSize, rest = c.Data.TrainCount % c.S.BatchSize;
        double epoch = full * priced.TotalPj + (rest > 0 ? Of(rest).Price(c.Table, c.S.Memory).TotalPj : 0);
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
