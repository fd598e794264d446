using System.Globalization;
using System.Text;
using Hybrid.Experiments.Reports;
using ScottPlot;

namespace Hybrid.Experiments.Pareto;

/// <summary>
/// Writes a <see cref="ParetoStudy"/> as report.md, frontier.csv and frontier.png into a new folder, atomically: the
/// files go into a temporary sibling folder that is renamed into place; an existing folder is never overwritten.
/// </summary>
public static class ParetoReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes the three files into <paramref name="folder"/>, which must not exist yet.</summary>
    /// <exception cref="IOException"><paramref name="folder"/> already exists.</exception>
    public static void Write(ParetoStudy study, string folder)
    {
        var target = Path.GetFullPath(folder);
        if (Directory.Exists(target) || File.Exists(target))
            throw new IOException($"{target} already exists; the frontier report is written into a new folder.");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllText(Path.Combine(temp, "report.md"), Markdown(study));
            File.WriteAllText(Path.Combine(temp, "frontier.csv"), Csv(study));
            File.WriteAllBytes(Path.Combine(temp, "frontier.png"), Plot(study));
            Directory.Move(temp, target);
        }
        catch
        {
            try { Directory.Delete(temp, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static string N(double x) => x.ToString("R", Inv);

    /// <summary>frontier.csv: one row per configuration, means, interval half-widths (NaN for one seed), standing.</summary>
    public static string Csv(ParetoStudy s)
    {
        var sb = new StringBuilder("key,label,seeds,accuracy_mean,accuracy_halfwidth,energy_mean,energy_halfwidth,standing\n");
        for (int i = 0; i < s.Points.Count; i++)
        {
            var p = s.Points[i];
            sb.Append(p.Key).Append(",\"").Append(p.Label.Replace("\"", "\"\"")).Append("\",")
              .Append(Math.Min(p.Accuracy.Count, p.Energy.Count).ToString(Inv)).Append(',')
              .Append(N(p.Accuracy.Mean)).Append(',').Append(N(p.Accuracy.HalfWidth)).Append(',')
              .Append(N(p.Energy.Mean)).Append(',').Append(N(p.Energy.HalfWidth)).Append(',')
              .Append(s.Standings[i].ToString().ToLowerInvariant()).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>report.md: the within-margin table, then every configuration with its standing.</summary>
    public static string Markdown(ParetoStudy s)
    {
        var st = s.Settings;
        double pts = st.PointsPerUnit;
        var sb = new StringBuilder();
        sb.Append("# Accuracy–energy frontier\n\n");
        sb.Append($"Accuracy: `{st.AccuracyMetric}` (in points, ×{pts.ToString(Inv)}); energy: `{st.EnergyMetric}`. ")
          .Append("Mean ± 95 % interval over seeds. Frontier: no configuration beats it on both means; undecided: beaten on both means, ")
          .Append("but by none whose intervals are disjoint from its own on both; dominated: beaten beyond the spread.\n\n");
        sb.Append($"Baseline: {s.Baseline.Label} — accuracy {s.Baseline.Accuracy.Format("F2", pts)}, energy {s.Baseline.Energy.Format("G4")}.\n\n");
        sb.Append("| within (points) | cheapest configuration | accuracy | energy | energy / baseline |\n|---|---|---|---|---|\n");
        foreach (var r in s.Table)
            sb.Append($"| {r.MarginPoints.ToString(Inv)} | {r.Point.Label} | {r.Point.Accuracy.Format("F2", pts)} | {r.Point.Energy.Format("G4")} | {r.EnergyRatio.ToString("G4", Inv)} |\n");
        sb.Append("\nThe table compares means; where the chosen configuration's accuracy interval reaches below the margin, it is not shown to be within it.\n\n");
        sb.Append("| configuration | accuracy | energy | standing |\n|---|---|---|---|\n");
        for (int i = 0; i < s.Points.Count; i++)
            sb.Append($"| {s.Points[i].Label} | {s.Points[i].Accuracy.Format("F2", pts)} | {s.Points[i].Energy.Format("G4")} | {s.Standings[i].ToString().ToLowerInvariant()} |\n");
        return sb.ToString();
    }

    /// <summary>frontier.png: accuracy against energy, 95 % intervals as error bars on both axes, one colour per standing.</summary>
    public static byte[] Plot(ParetoStudy s)
    {
        var plt = new Plot();
        double pts = s.Settings.PointsPerUnit;
        foreach (var (standing, c) in new[] { (ParetoStanding.Frontier, 0), (ParetoStanding.Undecided, 1), (ParetoStanding.Dominated, 2) })
        {
            var idx = Enumerable.Range(0, s.Points.Count).Where(i => s.Standings[i] == standing).OrderBy(i => s.Points[i].Energy.Mean).ToList();
            if (idx.Count == 0) continue;
            var color = Plots.Color(c);
            var x = idx.Select(i => s.Points[i].Energy.Mean).ToList();
            var y = idx.Select(i => s.Points[i].Accuracy.Mean * pts).ToList();
            var sc = plt.Add.Scatter(x.ToArray(), y.ToArray(), color);
            sc.LegendText = standing.ToString().ToLowerInvariant();
            sc.MarkerSize = 7;
            sc.LineWidth = standing == ParetoStanding.Frontier ? 1 : 0; // only the frontier is joined, in order of energy
            var bars = idx.Where(i => double.IsFinite(s.Points[i].Accuracy.HalfWidth)).ToList();
            if (bars.Count > 0)
                plt.Add.ErrorBar(bars.Select(i => s.Points[i].Energy.Mean).ToArray(), bars.Select(i => s.Points[i].Accuracy.Mean * pts).ToArray(),
                    bars.Select(i => s.Points[i].Accuracy.HalfWidth * pts).ToArray()).Color = color;
            foreach (var i in idx.Where(i => double.IsFinite(s.Points[i].Energy.HalfWidth)))
            {
                var e = s.Points[i].Energy;
                var line = plt.Add.Line(e.Mean - e.HalfWidth, s.Points[i].Accuracy.Mean * pts, e.Mean + e.HalfWidth, s.Points[i].Accuracy.Mean * pts);
                line.Color = color;
            }
        }
        plt.XLabel(s.Settings.EnergyMetric);
        plt.YLabel($"{s.Settings.AccuracyMetric} (points)");
        plt.ShowLegend();
        return plt.GetImageBytes(800, 520, ImageFormat.Png);
    }
}
