using Hybrid.Training.Trainer;
using System.Globalization;
using System.Text;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;

namespace Hybrid.Experiments.Compare;

/// <summary>The comparison's outputs: results.csv/json (every run), summary.csv/json (every row over its seeds),
/// report.md, and the plots (<see cref="ComparePlots"/>).</summary>
public static class CompareReport
{
    /// <summary>The sentence every energy figure comes with.</summary>
    public const string EnergyCaveat =
        "Energy is a model estimate — counts of arithmetic, datapath, conversion, random-bit and memory events of a whole " +
        "training step, times a per-event cost table — not a measurement.";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every output of a finished (or partly finished) comparison.</summary>
    public static void Write(RunFolder folder, CompareSettings s, IReadOnlyList<CompareRow> rows, EnergyTable table,
        string dataNote, string dataSummary)
    {
        var summaries = CompareSummary.Of(rows, IsText(s));
        folder.WriteText("results.csv", CompareRow.CsvHeader + "\n" + string.Join("", rows.Select(r => r.ToCsv() + "\n")));
        folder.WriteJson("results.json", rows);
        folder.WriteText("summary.csv", CompareSummary.CsvHeader + "\n" + string.Join("", summaries.Select(r => r.ToCsv() + "\n")));
        folder.WriteText("report.md", Markdown(s, summaries, table, dataNote, dataSummary));
        folder.WriteJson("summary.json", new
        {
            rows = summaries,
            runs = rows.Count,
            completed = rows.Count(r => r.Status == RunStatus.Completed),
            energyTable = table.Costs,
            energyTableSource = table.Source,
            sramKib = s.SramKib,
            memoryModel = s.MemoryModel ?? "compulsory",
            data = dataSummary,
            environment = RunEnvironment.Capture(),
            finishedUtc = DateTime.UtcNow,
        });
        ComparePlots.WriteAll(folder, summaries, rows);
    }

    /// <summary>The reference row LNS rows are compared with: float32 Madam if present, else the first row.</summary>
    public static CompareSummary? Reference(IReadOnlyList<CompareSummary> rows) => rows.FirstOrDefault(r => r.Kind == "madam") ?? rows.FirstOrDefault();

    /// <summary>Whether a comparison's metric is validation bits per character (the GPT on text) rather than test accuracy.</summary>
    public static bool IsText(CompareSettings s) => ModelSpec.ParseKind(s.Model) == ModelKind.Gpt;

    /// <summary>The metric's column header.</summary>
    public static string MetricHeader(bool text) => text ? "val bits/char" : "test acc (%)";

    /// <summary>The metric of a row over its seeds (mean ± 95 % interval).</summary>
    public static string Metric(CompareSummary r, bool text) => text ? r.BitsPerCharacter.Format("F4") : r.TestAccuracy.Format("F2", 100);

    /// <summary>"+0.42 (within spread)", "−1.63 (significant)" or "−1.63 (one seed)": the accuracy difference in points
    /// (for text, the bits-per-character difference in per cent of the reference's), called significant only when the two
    /// 95 % intervals are disjoint.</summary>
    public static string Difference(CompareSummary row, CompareSummary reference, bool text = false)
    {
        if (row.Key == reference.Key) return "—";
        var (a, b) = text ? (row.BitsPerCharacter, reference.BitsPerCharacter) : (row.TestAccuracy, reference.TestAccuracy);
        double d = text ? 100 * (a.Mean - b.Mean) / b.Mean : 100 * (a.Mean - b.Mean);
        string verdict = a.Count < 2 || b.Count < 2 ? "one seed: no interval" : a.DiffersFrom(b) ? "significant" : "within spread";
        return string.Create(Inv, $"{d:+0.00;−0.00}{(text ? " %" : "")} ({verdict})");
    }

    /// <summary>The main table as markdown (report.md, and the console when output is not a terminal).</summary>
    public static string Table(IReadOnlyList<CompareSummary> rows, bool text = false)
    {
        var reference = Reference(rows);
        var adam = rows.FirstOrDefault(r => r.Kind == "adam");
        var sb = new StringBuilder();
        sb.AppendLine($"| row | storage bits | GEMM format | seeds | {MetricHeader(text)} | vs {reference?.Name ?? "reference"} | energy/step (µJ) | " +
                      "compute (µJ) | memory (µJ) | less than Adam | energy/epoch (mJ) | weights (KiB) | state (KiB) | s/epoch |");
        sb.AppendLine("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            string ratio = adam is null || !double.IsFinite(r.EnergyPerStepPj.Mean) ? "—" : (adam.EnergyPerStepPj.Mean / r.EnergyPerStepPj.Mean).ToString("F2", Inv) + "×";
            sb.AppendLine(string.Create(Inv, $"| {r.Name} | {r.BitsPerSynapse} | {r.GemmFormat} | {r.Completed}/{r.Runs} | {Metric(r, text)} | " +
                $"{(reference is null ? "—" : Difference(r, reference, text))} | {r.EnergyPerStepPj.Mean / 1e6:F1} | {r.ComputePerStepPj / 1e6:F1} | " +
                $"{r.MemoryPerStepPj / 1e6:F1} | {ratio} | {r.EnergyPerEpochPj / 1e9:F2} | {r.WeightBytes / 1024.0:F1} | " +
                $"{r.StateBytes / 1024.0:F1} | {r.EpochSeconds:F2} |"));
        }
        return sb.ToString();
    }

    /// <summary>The energy of a step by pass, compute + memory (µJ).</summary>
    public static string PassTable(IReadOnlyList<CompareSummary> rows)
    {
        var sb = new StringBuilder();
        var passes = rows.FirstOrDefault()?.Passes.Select(p => p.Pass).ToList() ?? [];
        sb.AppendLine("| row | " + string.Join(" | ", passes.Select(p => $"{p} (compute + memory)")) + " |");
        sb.AppendLine("|---|" + string.Concat(passes.Select(_ => "---:|")));
        foreach (var r in rows)
            sb.AppendLine($"| {r.Name} | " + string.Join(" | ", r.Passes.Select(p =>
                string.Create(Inv, $"{p.ComputePj / 1e6:F1} + {p.MemoryPj / 1e6:F1}"))) + " |");
        return sb.ToString();
    }

    // what --depth and --width mean for the model (a ResNet's stage widths are fixed; the GPT's width is d)
    private static string ModelLine(CompareSettings s) => ModelSpec.ParseKind(s.Model) switch
    {
        ModelKind.ResNet => $"resnet, pre-activation ResNet-{6 * s.Depth + 2} ({s.Depth} blocks per stage, stage widths 16/32/64)",
        ModelKind.Gpt => $"gpt, {s.Depth} blocks, d = {s.Width}, context {Hybrid.Experiments.Data.DataChoice.TextContext} characters",
        _ => $"{s.Model}, depth {s.Depth}, width {s.Width}",
    };

    /// <summary>The report: settings, the tables, the energy caveat, and where the files are.</summary>
    public static string Markdown(CompareSettings s, IReadOnlyList<CompareSummary> rows, EnergyTable table, string dataNote, string dataSummary)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Hybrid comparison: LNS arithmetic vs float32 training").AppendLine();
        sb.AppendLine($"- Data: {dataSummary}. {dataNote}");
        sb.AppendLine($"- Model: {ModelLine(s)}; {s.Epochs} epochs, batch {s.BatchSize}, inputs normalised: {s.Normalize}; " +
                      $"preset {s.Preset}; seeds {string.Join(", ", s.SeedList)} (accuracy: mean ± 95 % interval over seeds).");
        sb.AppendLine(string.Create(Inv, $"- Float rows: TorchSharp Adam (lr {s.AdamLr}), Madam (lr {s.MadamLr}). Baselines: float32 master weights and Adam, " +
                      $"every GEMM tensor fake-quantised (FP8: E4M3 forward, E5M2 backward; INT8: symmetric), max-abs scales."));
        if (s.Bits.Length > 0)
            sb.AppendLine(string.Create(Inv, $"- Weights-only LNS rows: B-bit codes updated by the {s.Backend} synapse kernel (lr {s.LnsLr}, " +
                          $"{(s.NearestRounding ? "nearest" : "stochastic")} rounding, moment {s.Moment}); GEMMs in float32 on the decoded weights."));
        if ((s.UpdateBits ?? []).Length > 0)
            sb.AppendLine(string.Create(Inv, $"- Full-LNS rows: weights stored and updated at B_u = {string.Join(", ", s.UpdateBits!)} bits (γ_u per width), " +
                          $"lr {s.FullLr:G6} (1/128 in log2 units), variants {string.Join(", ", s.Variants ?? [])} (authors: deterministic rounding of the code " +
                          $"step; stochastic: ours); arithmetic: {s.FullArithmetic()}."));
        sb.AppendLine($"- Energy: {table.Source}; memory: {s.SramKib} KiB SRAM ({s.Memory.EventOf(MemoryLevel.Sram)}) and DRAM, memory model " +
                      $"`{(s.MemoryModel ?? "compulsory")}` (compulsory: each tensor a pass uses moved once; dataflow: GEMM operands through register " +
                      "files, a PE array, the SRAM and DRAM — docs/cost.md), tensors placed by the ledger's lifetimes and splits. " +
                      "Biases stay float32 (float Madam in LNS rows).").AppendLine();
        if (IsText(s))
            sb.AppendLine("- Metric: validation loss in bits per character (the mean cross-entropy per character of the held-out text, " +
                          "÷ ln 2); \"vs\" is its difference in per cent of the reference's (lower is better). The accuracy in results.csv " +
                          "and the plots is next-character accuracy.");
        sb.AppendLine(Table(rows, IsText(s))).AppendLine();
        sb.AppendLine("Energy of one step on a full batch, by pass (µJ):").AppendLine();
        sb.AppendLine(PassTable(rows)).AppendLine();
        if (rows.Any(r => double.IsFinite(r.Saturated)))
        {
            sb.AppendLine("| row | quantised values saturated | underflowed to 0 |");
            sb.AppendLine("|---|---:|---:|");
            foreach (var r in rows.Where(r => double.IsFinite(r.Saturated)))
                sb.AppendLine(string.Create(Inv, $"| {r.Name} | {100 * r.Saturated:F3} % | {100 * r.Underflowed:F3} % |"));
            sb.AppendLine();
        }
        sb.AppendLine(EnergyCaveat + " Change the table with `--energy-table FILE.json` and the SRAM with `--sram-kib`.").AppendLine();
        sb.AppendLine("Plots: `energy-by-pass.png` (stacked by pass and compute/memory), `accuracy-vs-energy.png`, `accuracy-vs-bits.png`, " +
                      "`learning-curves.png` (error bars: 95 % intervals over seeds). Each run (config, metrics, checkpoint, learning curve) is " +
                      "under `rows/<row>/seed-<seed>/`.");
        return sb.ToString();
    }
}
