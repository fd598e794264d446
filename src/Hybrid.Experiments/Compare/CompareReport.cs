using System.Globalization;
using System.Text;
using Hybrid.Synapse.Energy;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using ScottPlot;

namespace Hybrid.Experiments.Compare;

/// <summary>The comparison's outputs: results.csv/json, report.md, summary.json and three plots.</summary>
public static class CompareReport
{
    /// <summary>The sentence every energy figure comes with.</summary>
    public const string EnergyCaveat =
        "Energy is a model estimate — counts of memory accesses, arithmetic and random words per update step, " +
        "times a per-event cost table — not a measurement.";

    /// <summary>Writes every output of a finished (or partly finished) comparison.</summary>
    public static void Write(RunFolder folder, CompareSettings s, IReadOnlyList<CompareRow> rows, EnergyTable table,
        string dataNote, string dataSummary)
    {
        folder.WriteText("results.csv", CompareRow.CsvHeader + "\n" + string.Join("", rows.Select(r => r.ToCsv() + "\n")));
        folder.WriteJson("results.json", rows);
        folder.WriteText("report.md", Markdown(s, rows, table, dataNote, dataSummary));
        folder.WriteJson("summary.json", new
        {
            rows = rows.Count,
            completed = rows.Count(r => r.Status == "completed"),
            energyTable = table,
            data = dataSummary,
            environment = RunEnvironment.Capture(),
            finishedUtc = DateTime.UtcNow,
        });
        folder.WriteBytes("accuracy-vs-bits.png", AccuracyVsBits(rows));
        folder.WriteBytes("energy-vs-accuracy.png", EnergyVsAccuracy(rows));
        var curves = rows.Select(r => (r.Name, (IReadOnlyList<EpochMetrics>)ReadMetrics(folder, r))).Where(c => c.Item2.Count > 0).ToList();
        if (curves.Count > 0) folder.WriteBytes("learning-curves.png", LearningCurves(curves));
    }

    /// <summary>The report: settings, the table, the energy caveat, and where the files are.</summary>
    public static string Markdown(CompareSettings s, IReadOnlyList<CompareRow> rows, EnergyTable table, string dataNote, string dataSummary)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Hybrid comparison: LNS synapses vs float32 training").AppendLine();
        sb.AppendLine($"- Data: {dataSummary}. {dataNote}");
        sb.AppendLine($"- Model: {s.Model}, depth {s.Depth}, width {s.Width}; {s.Epochs} epochs, batch {s.BatchSize}, seed {s.Seed}, inputs normalised: {s.Normalize}.");
        sb.AppendLine($"- Float rows: TorchSharp Adam (lr {s.AdamLr.ToString(inv)}), Madam (lr {s.MadamLr.ToString(inv)}).");
        sb.AppendLine($"- LNS rows: weights as B-bit codes (sign + (B−1)-bit log-magnitude, |w| = w_max·2^(−k/γ)), trained by the " +
                      $"{s.Backend} synapse kernel's Madam step (lr {s.LnsLr.ToString(inv)}), {(s.NearestRounding ? "nearest" : "stochastic")} rounding, " +
                      $"second moment {s.Moment}; biases stay float32 (float Madam). Device model: c2c {s.C2cNoise.ToString(inv)}, " +
                      $"d2d {s.D2dGainSd.ToString(inv)}, asymmetry {s.Asymmetry.ToString(inv)}, stuck {s.StuckFraction.ToString(inv)}.");
        sb.AppendLine($"- Energy table: {table.Source}.").AppendLine();
        sb.AppendLine("| row | bits | γ | test acc (%) | final train loss | s/epoch | ms/step | weights (KiB) | optimiser state (KiB) | energy/step (µJ) | codes changed/step | status |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(inv, $"| {r.Name} | {r.BitsPerSynapse} | {(r.Gamma > 0 ? r.Gamma.ToString(inv) : "—")} | {100 * r.TestAccuracy:F2} | " +
                $"{r.FinalTrainLoss:F4} | {r.EpochSeconds:F2} | {r.StepMilliseconds:F2} | {r.WeightBytes / 1024.0:F1} | {r.StateBytes / 1024.0:F1} | " +
                $"{r.EnergyPerStepPj / 1e6:F3} | {r.CodesChangedPerStep:F0} | {r.Status} ({r.Epochs} ep) |"));
        sb.AppendLine().AppendLine(EnergyCaveat + " Change the table with `--energy-table FILE.json`.").AppendLine();
        sb.AppendLine("Plots: `accuracy-vs-bits.png`, `learning-curves.png`, `energy-vs-accuracy.png`. " +
                      "Each row's own run (config, metrics, checkpoint, learning curve) is under `rows/`.");
        return sb.ToString();
    }

    private static List<EpochMetrics> ReadMetrics(RunFolder folder, CompareRow r)
    {
        var path = Path.Combine(folder.Path, r.RunFolder, "metrics.csv");
        return File.Exists(path) ? EpochMetrics.ParseCsv(File.ReadAllText(path)) : [];
    }

    private static byte[] AccuracyVsBits(IReadOnlyList<CompareRow> rows)
    {
        var plt = new Plot();
        var lns = rows.Where(r => r.Kind == "lns").OrderBy(r => r.BitsPerSynapse).ToList();
        if (lns.Count > 0)
        {
            var sc = plt.Add.Scatter(lns.Select(r => (double)r.BitsPerSynapse).ToArray(), lns.Select(r => 100 * r.TestAccuracy).ToArray());
            sc.LegendText = "LNS synapse model";
            sc.MarkerSize = 8;
        }
        foreach (var f in rows.Where(r => r.Kind != "lns"))
        {
            var line = plt.Add.HorizontalLine(100 * f.TestAccuracy);
            line.LegendText = $"{f.Name} ({100 * f.TestAccuracy:F2}%)";
            line.LinePattern = f.Kind == "adam" ? LinePattern.Dashed : LinePattern.Dotted;
        }
        plt.Title("Test accuracy vs bits per synapse");
        plt.XLabel("bits per synapse (B)");
        plt.YLabel("test accuracy (%)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(800, 500, ImageFormat.Png);
    }

    private static byte[] EnergyVsAccuracy(IReadOnlyList<CompareRow> rows)
    {
        var plt = new Plot();
        foreach (var r in rows.Where(r => r.EnergyPerStepPj > 0))
        {
            var m = plt.Add.Marker(Math.Log10(r.EnergyPerStepPj / 1e6), 100 * r.TestAccuracy);
            m.Size = 9;
            m.LegendText = r.Name;
        }
        plt.Title("Estimated energy per update step vs test accuracy (model estimate)");
        plt.XLabel("log10(energy per step / µJ)");
        plt.YLabel("test accuracy (%)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(800, 500, ImageFormat.Png);
    }

    private static byte[] LearningCurves(IReadOnlyList<(string Name, IReadOnlyList<EpochMetrics> Rows)> curves)
    {
        var plt = new Plot();
        foreach (var (name, rows) in curves)
        {
            var sc = plt.Add.Scatter(rows.Select(r => (double)r.Epoch).ToArray(), rows.Select(r => 100 * r.TestAccuracy).ToArray());
            sc.LegendText = name;
        }
        plt.Title("Test accuracy per epoch");
        plt.XLabel("epoch");
        plt.YLabel("test accuracy (%)");
        plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(900, 550, ImageFormat.Png);
    }
}
