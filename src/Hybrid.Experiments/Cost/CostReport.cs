using System.Globalization;
using System.Text;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Synapse.Energy;
using Hybrid.Synapse.Energy.Architectures;
using ScottPlot;

namespace Hybrid.Experiments.Cost;

/// <summary><c>hybrid cost</c>'s files: report.md, results.csv (row × pass × level), curves.csv, summary.json, and the plots
/// energy-by-pass.png (stacked by pass and compute/memory) and ratio-vs-sram.png.</summary>
public static class CostReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every file.</summary>
    public static void Write(RunFolder folder, CostOutcome o, EnergyTable table)
    {
        folder.WriteText("report.md", Markdown(o, table));
        folder.WriteText("results.csv", Csv(o));
        folder.WriteText("curves.csv", CurvesCsv(o));
        folder.WriteJson("summary.json", new
        {
            model = o.Network.Name, parameters = o.Network.Parameters, forwardMacsPerExample = o.Network.ForwardMacs, o.Settings.Batch,
            sramKib = o.Settings.SramKib, memoryModel = o.Settings.MemoryModel, dataflow = o.Settings.Dataflow,
            rows = o.Results.Select(r => Row(r)).ToList(),
            compulsory = o.Compulsory.Select(r => Row(r)).ToList(),
            dataflowModel = o.Dataflow.Select(r => Row(r)).ToList(),
            sramCurve = o.SramCurve, momentCurve = o.MomentCurve,
            energyTable = table.Costs, energyTableSource = table.Source, seconds = o.Seconds,
            environment = RunEnvironment.Capture(), finishedUtc = DateTime.UtcNow,
        });
        folder.WriteBytes("energy-by-pass.png", EnergyByPass(o));
        if (o.SramCurve.Count > 0) folder.WriteBytes("ratio-vs-sram.png", RatioVsSram(o));
    }

    private static object Row(CostResult r) => new
    {
        key = r.Row.Key, name = r.Row.Name, update = r.Row.Update.ToString(), totalPj = r.Priced.TotalPj, computePj = r.Priced.ComputePj,
        memoryPj = r.Priced.MemoryPj, sramPj = r.Priced.MemoryByLevel.Sram, dramPj = r.Priced.MemoryByLevel.Dram,
        registerPj = r.Priced.MemoryByLevel.Register, arrayPj = r.Priced.MemoryByLevel.Array, macs = r.Macs,
        weightBytes = r.WeightBytes, stateBytes = r.StateBytes,
        passes = r.Passes.Select(p => new { pass = CompareExperiment.PassName(p.Pass), computePj = p.ComputePj, memoryPj = p.MemoryPj }).ToList(),
    };

    /// <summary>How many times less than <paramref name="baseline"/>: "4.21×".</summary>
    public static string Ratio(double baseline, double row) => string.Create(Inv, $"{baseline / row:F2}×");

    /// <summary>The report.</summary>
    public static string Markdown(CostOutcome o, EnergyTable table)
    {
        var s = o.Settings;
        var net = o.Network;
        var sb = new StringBuilder();
        sb.AppendLine($"# Hybrid cost: one training step of {net.Name}, every row format").AppendLine();
        sb.AppendLine(string.Create(Inv, $"- Network: {net.Name}, {net.Parameters / 1e6:F2} M parameters, {net.ForwardMacs / 1e9:F3} G forward MACs per example; batch {s.Batch}."));
        sb.AppendLine($"- Memory: {s.SramKib} KiB SRAM and DRAM; model `{s.MemoryModel}` (both models' totals below); dataflow {s.Memory.Accelerator}.");
        sb.AppendLine($"- Rows: LNS-Madam {s.LnsBits} (GEMMs lns{s.LnsWidths.Forward}, weights stored at {s.LnsWidths.Update} bits), weights-only LNS at {s.WeightsOnlyBits} bits; " +
                      $"moment {s.Moment}, moments stored as {s.MomentFormat}{(s.FuseGradient ? ", gradient fused into the update" : "")}; attention {(s.UnfusedAttention ? "materialised" : "fused")}.");
        sb.AppendLine($"- Energy table: {table.Source}. Computed in {o.Seconds:F1} s.").AppendLine();
        var fp32 = o.Results.First(r => r.Row.Key == "fp32").Priced.TotalPj;
        var fp8 = o.Results.First(r => r.Row.Key == "fp8").Priced.TotalPj;
        sb.AppendLine("| row | mJ/step | compute | memory | SRAM | DRAM | RF + array | fp32 Adam ÷ row | FP8 Adam ÷ row | weights (MiB) | state (MiB) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in o.Results)
        {
            var l = r.Priced.MemoryByLevel;
            sb.AppendLine(string.Create(Inv, $"| {r.Row.Name} | {r.Priced.TotalPj / 1e9:F2} | {r.Priced.ComputePj / 1e9:F2} | {r.Priced.MemoryPj / 1e9:F2} | " +
                $"{l.Sram / 1e9:F2} | {l.Dram / 1e9:F2} | {(l.Register + l.Array) / 1e9:F2} | {Ratio(fp32, r.Priced.TotalPj)} | {Ratio(fp8, r.Priced.TotalPj)} | " +
                $"{r.WeightBytes / 1048576:F1} | {r.StateBytes / 1048576:F1} |"));
        }
        sb.AppendLine().AppendLine("By pass, compute + memory (mJ):").AppendLine();
        sb.AppendLine("| row | forward | backward-data | backward-weight | update |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in o.Results)
            sb.AppendLine($"| {r.Row.Name} | " + string.Join(" | ", r.Passes.Select(p => string.Create(Inv, $"{p.ComputePj / 1e9:F2} + {p.MemoryPj / 1e9:F2}"))) + " |");
        sb.AppendLine().AppendLine("Both memory models (mJ/step, and how many times less than fp32 / FP8 Adam):").AppendLine();
        sb.AppendLine("| row | compulsory | ÷ fp32 | ÷ FP8 | dataflow | ÷ fp32 | ÷ FP8 |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        double c32 = o.Compulsory[0].Priced.TotalPj, c8 = o.Compulsory.First(r => r.Row.Key == "fp8").Priced.TotalPj;
        double d32 = o.Dataflow[0].Priced.TotalPj, d8 = o.Dataflow.First(r => r.Row.Key == "fp8").Priced.TotalPj;
        for (int i = 0; i < o.Compulsory.Count; ++i)
        {
            double c = o.Compulsory[i].Priced.TotalPj, d = o.Dataflow[i].Priced.TotalPj;
            sb.AppendLine(string.Create(Inv, $"| {o.Compulsory[i].Row.Name} | {c / 1e9:F2} | {Ratio(c32, c)} | {Ratio(c8, c)} | {d / 1e9:F2} | {Ratio(d32, d)} | {Ratio(d8, d)} |"));
        }
        if (o.SramCurve.Count > 0) sb.AppendLine().AppendLine(CurveTable(o.SramCurve, "SRAM (KiB)", "baseline"));
        if (o.MomentCurve.Count > 0) sb.AppendLine().AppendLine(CurveTable(o.MomentCurve, "bits a moment value", "baseline"));
        sb.AppendLine().AppendLine(CompareReport.EnergyCaveat + " Curves: every ratio is baseline ÷ row, against the baseline its table names; SRAM sizes the " +
            "default table interpolates (every size but 8, 32 and 1024 KiB) are estimates.");
        sb.AppendLine().AppendLine("Files: `results.csv` (row × pass: compute, SRAM, DRAM, register-file and array pJ), `curves.csv`, `summary.json`, " +
                                   "`energy-by-pass.png`, `ratio-vs-sram.png`.");
        return sb.ToString();
    }

    /// <summary>A curve as a table: a row per (baseline, row), a column per x.</summary>
    public static string CurveTable(IReadOnlyList<RatioPoint> points, string xName, string baselineName)
    {
        var xs = points.Select(p => p.X).Distinct().Order().ToList();
        var sb = new StringBuilder();
        sb.AppendLine($"Energy ratio (baseline ÷ row) over {xName}:").AppendLine();
        sb.AppendLine($"| {baselineName} | row | " + string.Join(" | ", xs.Select(x => x.ToString("G", Inv))) + " |");
        sb.AppendLine("|---|---|" + string.Concat(xs.Select(_ => "---:|")));
        foreach (var g in points.GroupBy(p => (p.Baseline, p.Row)))
        {
            var byX = g.ToDictionary(p => p.X);
            sb.AppendLine($"| {g.Key.Baseline} | {g.Key.Row} | " + string.Join(" | ", xs.Select(x => byX.TryGetValue(x, out var p) ? p.Ratio.ToString("F2", Inv) : "—")) + " |");
        }
        return sb.ToString();
    }

    private static string Csv(CostOutcome o)
    {
        var sb = new StringBuilder("model,batch,memory_model,row,layer,pass,compute_pj,sram_pj,dram_pj,register_pj,array_pj\n");
        foreach (var (model, results) in new[] { ("compulsory", o.Compulsory), ("dataflow", o.Dataflow) })
            foreach (var r in results)
                foreach (var c in r.Priced.Cells)
                    sb.AppendLine(string.Create(Inv, $"{o.Network.Name},{o.Settings.Batch},{model},{r.Row.Key},{c.Layer},{CompareExperiment.PassName(c.Pass)}," +
                        $"{c.ComputePj:R},{c.SramPj:R},{c.DramPj:R},{c.RegisterPj:R},{c.ArrayPj:R}"));
        return sb.ToString();
    }

    private static string CurvesCsv(CostOutcome o)
    {
        var sb = new StringBuilder("curve,baseline,row,x,row_pj,baseline_pj,ratio\n");
        foreach (var (name, points) in new[] { ("sram_kib", o.SramCurve), ("moment_bits", o.MomentCurve) })
            foreach (var p in points)
                sb.AppendLine(string.Create(Inv, $"{name},{p.Baseline},{p.Row},{p.X:R},{p.RowPj:R},{p.BaselinePj:R},{p.Ratio:R}"));
        return sb.ToString();
    }

    private static byte[] EnergyByPass(CostOutcome o)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        var passes = Enum.GetValues<Pass>();
        for (int i = 0; i < o.Results.Count; ++i)
        {
            double y = 0;
            var ps = o.Results[i].Passes;
            for (int p = 0; p < ps.Count; ++p)
                foreach (var (value, memory) in new[] { (ps[p].ComputePj, false), (ps[p].MemoryPj, true) })
                {
                    var c = palette.GetColor(p);
                    bars.Add(new Bar { Position = i, ValueBase = y, Value = y + value / 1e9, FillColor = memory ? c.Lighten(0.5) : c });
                    y += value / 1e9;
                }
        }
        var plot = plt.Add.Bars(bars);
        plot.Horizontal = true;
        for (int p = 0; p < passes.Length; ++p)
        {
            string name = CompareExperiment.PassName(passes[p]);
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = $"{name}: compute", FillColor = palette.GetColor(p) });
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = $"{name}: memory", FillColor = palette.GetColor(p).Lighten(0.5) });
        }
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, o.Results.Count).Select(i => (double)i).ToArray(), o.Results.Select(r => r.Row.Name).ToArray());
        plt.Axes.Margins(left: 0);
        plt.Axes.InvertY();
        plt.Title($"{o.Network.Name}, batch {o.Settings.Batch}: estimated energy per training step (model estimate)");
        plt.XLabel("energy per step (mJ)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(1100, 650, ImageFormat.Png);
    }

    private static byte[] RatioVsSram(CostOutcome o)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var g in o.SramCurve.Where(p => p.Baseline == "fp32" && p.Row != "fp32").GroupBy(p => p.Row))
        {
            var pts = g.OrderBy(p => p.X).ToList();
            // log2 of (KiB + 1): the curve starts at no SRAM
            var line = plt.Add.Scatter(pts.Select(p => Math.Log2(p.X + 1)).ToArray(), pts.Select(p => p.Ratio).ToArray());
            line.Color = palette.GetColor(i++);
            line.LegendText = g.Key;
        }
        plt.Title($"{o.Network.Name}: fp32 Adam's step energy ÷ each row's, over SRAM size (model estimate)");
        plt.XLabel("log2(SRAM KiB + 1)");
        plt.YLabel("fp32 Adam ÷ row");
        plt.ShowLegend(Alignment.UpperLeft);
        return plt.GetImageBytes(1100, 650, ImageFormat.Png);
    }
}
