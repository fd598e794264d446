using System.Diagnostics;
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
/// <c>hybrid cost</c>: the full-step energy of a standard architecture for every row format, without training it —
/// under both memory models, with the curves over SRAM size and moment precision. The computation is the library's
/// (<see cref="CostStudy"/>); this class runs it and <see cref="CostReport"/> writes it. Written to become one
/// experiment plug-in: settings in, a folder of files out.
/// </summary>
public static class CostExperiment
{
    /// <summary>Baselines every curve's ratios are against.</summary>
    public static readonly IReadOnlyList<string> CurveBaselines = ["fp32", "fp8"];

    /// <summary>Prices everything <paramref name="s"/> asks for.</summary>
    public static CostOutcome Run(CostSettings s)
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

    /// <summary>Runs and writes the report, CSV, JSON and plots into <paramref name="folder"/>.</summary>
    public static CostOutcome Run(CostSettings s, RunFolder folder)
    {
        s.Validate();
        folder.BeginExperiment(s, resume: false, "cost study");
        var outcome = Run(s);
        CostReport.Write(folder, outcome, s.LoadEnergyTable());
        return outcome;
    }
}
