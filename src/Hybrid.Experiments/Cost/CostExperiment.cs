using System.Diagnostics;
using System.Globalization;
using Hybrid.Experiments.Options;
using Hybrid.Training.Trainer;
using Hybrid.Synapse.Energy.Dataflow;
using Hybrid.Experiments.Runs;
using Hybrid.Synapse.Energy;
using Hybrid.Synapse.Energy.Architectures;

namespace Hybrid.Experiments.Cost;

/// <summary>Everything one <c>hybrid cost</c> run computed.</summary>
/// <param name="Settings">What was asked for.</param>
/// <param name="Network">The network priced.</param>
/// <param name="Results">Every row under the chosen memory model.</param>
/// <param name="Compulsory">Every row under the compulsory-traffic model.</param>
/// <param name="Dataflow">Every row under the dataflow model.</param>
/// <param name="SramCurve">Ratios over SRAM size (standard rows and fair baselines, against fp32 and fp8 Adam).</param>
/// <param name="MomentCurve">Ratios over moment precision (against fp32 Adam with float32 moments).</param>
/// <param name="Seconds">Wall time of the computation.</param>
public sealed record CostOutcome(CostSettings Settings, NetworkSpec Network, IReadOnlyList<CostResult> Results,
    IReadOnlyList<CostResult> Compulsory, IReadOnlyList<CostResult> Dataflow, IReadOnlyList<RatioPoint> SramCurve,
    IReadOnlyList<RatioPoint> MomentCurve, double Seconds);

/// <summary>
/// <c>hybrid cost</c>: the full-step energy of a standard architecture, or of a model Hybrid trains (traced), for every
/// row format, without training it — under both memory models, with the curves over SRAM size and moment precision. The
/// computation is the library's (<see cref="CostStudy"/>, <see cref="Compute"/>); <see cref="CostReport"/> writes it.
/// </summary>
public sealed class CostExperiment : Experiment<CostSettings, CostOutcome>
{
    /// <summary>Baselines every curve's ratios are against.</summary>
    public static readonly IReadOnlyList<string> CurveBaselines = ["fp32", "fp8"];

    /// <inheritdoc />
    public override string Name => "cost";
    /// <inheritdoc />
    public override string Description => "Price one training step of a network — a standard one (resnet18, resnet50, bert-base, gpt2-small) " +
        "or one Hybrid trains (mlp, cnn, residual-mlp, resnet20, gpt-fortunes, traced) — for every row format: fp32, bf16, FP8, INT8 Adam, " +
        "LNS-Madam and weights-only LNS, without training it.";
    /// <inheritdoc />
    public override string ShortDescription => "a training step priced without training (hybrid cost)";
    /// <inheritdoc />
    public override CostSettings Defaults => new();

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<CostSettings>> DefineOptions(OptionBuilder<CostSettings> o) =>
    [
        o.Text("--model", $"Network: {string.Join(", ", StandardNetworks.Names)} (standard architectures), or {string.Join(", ", TracedNetworks.Names)} (the models Hybrid trains, traced).",
            (s, v) => s with { Model = v }, s => s.Model),
        o.Long("--batch", "Examples per step.", (s, v) => s with { Batch = v }, s => s.Batch),
        o.Int("--sram-kib", "On-chip SRAM (global buffer), KiB (0: all DRAM); priced by the table's sram<KiB>KiB64 event.", (s, v) => s with { SramKib = v }, s => s.SramKib),
        o.Text("--energy-table", "JSON file of per-event energies in pJ (default: Horowitz 45 nm with the LNS-Madam PE ratios).", (s, v) => s with { EnergyTable = v }, s => s.EnergyTable),
        o.Text("--moment", "Madam and LNS rows' second moment: per-synapse, per-neuron, per-tensor or none.", (s, v) => s with { Moment = v }, s => s.Moment),
        o.Text("--moment-format", $"Every row's optimiser-state precision: {string.Join(", ", StateFormats.Names)}.", (s, v) => s with { MomentFormat = v }, s => s.MomentFormat),
        o.Text("--lns-bits", "LNS-Madam row: B_f/B_u (GEMM bits / storage and update bits).", (s, v) => s with { LnsBits = v }, s => s.LnsBits),
        o.Int("--weights-only-bits", "Weights-only LNS row: storage bits.", (s, v) => s with { WeightsOnlyBits = v }, s => s.WeightsOnlyBits),
        o.Text("--memory-model", "compulsory (each tensor a pass uses moved once) or dataflow (GEMMs through register files, a PE array, the SRAM and DRAM).",
            (s, v) => s with { MemoryModel = v }, s => s.MemoryModel),
        o.Text("--dataflow", $"The dataflow model's mapping: {string.Join(", ", DataflowSpec.KindNames)}.", (s, v) => s with { Dataflow = v }, s => s.Dataflow),
        o.Flag("--fuse-gradient", "Hardware option: the weight gradient goes straight into the update unit (never stored).", (s, v) => s with { FuseGradient = v }),
        o.Flag("--unfused-attention", "Write attention's scores and probabilities to memory instead of recomputing them (FlashAttention).", (s, v) => s with { UnfusedAttention = v }),
        o.Flag("--no-curves", "Leave out the curves over SRAM size and moment precision.", (s, v) => v ? s with { Curves = false } : s),
    ];

    /// <inheritdoc />
    public override void Validate(CostSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override CostOutcome Run(CostSettings s, ExperimentContext context)
    {
        context.Begin();
        context.Log($"{s.Model}, batch {s.Batch}");
        var outcome = Compute(s);
        CostReport.Write(context.Folder, outcome, s.LoadEnergyTable());
        return outcome;
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(CostSettings s, CostOutcome o, RunFolder folder)
    {
        var inv = CultureInfo.InvariantCulture;
        double fp32 = o.Results[0].Priced.TotalPj, fp8 = o.Results.First(r => r.Row.Key == "fp8").Priced.TotalPj;
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in o.Results) metrics[$"energy_per_step_pj.{r.Row.Key}"] = r.Priced.TotalPj;
        var summary = ConsoleSummary.Empty
            .Table(["row", "mJ/step*", "compute", "memory", "÷ fp32 Adam", "÷ FP8 Adam"],
                o.Results.Select(r => (IReadOnlyList<string>)[r.Row.Name, string.Create(inv, $"{r.Priced.TotalPj / 1e9:F2}"),
                    string.Create(inv, $"{r.Priced.ComputePj / 1e9:F2}"), string.Create(inv, $"{r.Priced.MemoryPj / 1e9:F2}"),
                    CostReport.Ratio(fp32, r.Priced.TotalPj), CostReport.Ratio(fp8, r.Priced.TotalPj)]),
                [false, true, true, true, true, true])
            .Note($"* {Compare.CompareReport.EnergyCaveat} Memory model: {s.MemoryModel}.")
            .Line($"report: {folder.File("report.md")}");
        return new ExperimentOutcome(RunStatus.Completed, "priced", metrics, new SortedDictionary<string, double>(StringComparer.Ordinal)
            { ["seconds"] = o.Seconds }) { Summary = summary };
    }

    /// <summary>Prices everything <paramref name="s"/> asks for (no folder).</summary>
    public static CostOutcome Compute(CostSettings s)
    {
        s.Validate();
        var clock = Stopwatch.StartNew();
        var table = s.LoadEnergyTable();
        var net = s.Network;
        var rows = CostRows.Standard(s.RowOptions);
        var memory = s.Memory;
        var compulsory = CostStudy.Price(net, s.Batch, rows, table, memory with { Model = MemoryModel.Compulsory });
        var dataflow = CostStudy.Price(net, s.Batch, rows, table, memory with { Model = MemoryModel.Dataflow });
        var chosen = memory.Model == MemoryModel.Dataflow ? dataflow : compulsory;
        IReadOnlyList<RatioPoint> sram = [], moment = [];
        if (s.Curves)
        {
            var curveRows = rows.Concat(CostRows.FairBaselines(s.RowOptions)).DistinctBy(r => r.Key).ToList();
            var sizes = CostStudy.SramSizes(table).Where(k => k is 0 or >= 64).ToList();
            sram = CostStudy.OverSram(net, s.Batch, curveRows, CurveBaselines, sizes, table, memory);
            moment = CostStudy.OverMomentPrecision(net, s.Batch, rows, "fp32", table, memory);
        }
        return new CostOutcome(s, net, chosen, compulsory, dataflow, sram, moment, clock.Elapsed.TotalSeconds);
    }
}
