using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using ScottPlot;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// <c>sweep merge</c>'s files in the sweep's <c>merged/</c> folder: results.csv (one row per
/// finished run: its axis values and results — exactly comparable between two runs of a sweep),
/// timing.csv (seconds and speeds: this machine's, not results), summary.csv/summary.json (each
/// grid point over its seeds: mean, sd, 95 % interval, n), report.md (headline tables with
/// mean ± interval and what is and is not significantly different, and what is missing), and one
/// plot per headline metric with the intervals as error bars. The files meant to be parsed (the
/// CSVs, summary.json's <c>point</c>) hold each axis value exactly, as plan.json does; the report
/// and the plots show its label (<see cref="SettingsContract.Labels"/>: <c>sgd</c> for <c>["sgd"]</c>).
/// Every file uses the merged metric names (<see cref="MetricKeyFold"/>): with each run's one
/// optimiser or row key folded away where the sweep's axis gives each run one.
/// </summary>
public static class SweepReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes every file; returns the folder.</summary>
    public static RunFolder Write(SweepMerge m)
    {
        // the sweep folder must be this sweep's (or new): never a folder of the user's own files or another sweep's (issue 22 item 11)
        m.Plan.WriteManifest();
        var folder = new RunFolder(m.Plan.MergedPath);
        var axes = m.Plan.Definition.Axes;
        var groupAxes = axes.Where(a => !a.IsSeed).Select(a => a.Path).ToList();
        var metrics = m.MetricNames;

        var results = new StringBuilder();
        results.AppendLine(Csv(["index", "id", .. axes.Select(a => a.Path), "status", .. metrics]));
        foreach (var f in m.Finished)
            results.AppendLine(Csv([f.Run.Index.ToString(Inv), f.Run.Id, .. f.Run.Point.Select(p => p.Value), f.Result.Status.Name(),
                .. metrics.Select(n => f.Metrics.TryGetValue(n, out var v) ? G(v) : "")]));
        folder.WriteText("results.csv", results.ToString());

        var timingNames = m.TimingNames;
        var timing = new StringBuilder();
        timing.AppendLine(Csv(["index", "id", "host", "shard", "attempts", "seconds", .. timingNames]));
        foreach (var f in m.Finished)
            timing.AppendLine(Csv([f.Run.Index.ToString(Inv), f.Run.Id, f.Result.Host, f.Result.Shard, f.Result.Attempts.ToString(Inv),
                G(f.Result.Seconds), .. timingNames.Select(n => f.Result.Timing.TryGetValue(n, out var v) ? G(v) : "")]));
        folder.WriteText("timing.csv", timing.ToString());

        var summary = new StringBuilder();
        summary.AppendLine(Csv([.. groupAxes, "planned", "completed", "diverged",
            .. metrics.SelectMany(n => new[] { $"{n}.mean", $"{n}.sd", $"{n}.ci95", $"{n}.n" })]));
        foreach (var g in m.Groups)
            summary.AppendLine(Csv([.. g.Point.Select(p => p.Value), g.Planned.ToString(Inv), g.Completed.ToString(Inv), g.Diverged.ToString(Inv),
                .. metrics.SelectMany(n => g.Metrics.TryGetValue(n, out var s)
                    ? new[] { G(s.Mean), G(s.Sd), G(s.HalfWidth), s.Count.ToString(Inv) } : ["", "", "", "0"])]));
        folder.WriteText("summary.csv", summary.ToString());
        folder.WriteText("summary.json", SummaryJson(m).ToJsonString(RunFolder.Json) + "\n");

        var plots = new List<string>();
        foreach (var h in m.Headline)
            if (Plot(m, h) is { } png)
            {
                string name = FileName(h.Name) + ".png";
                folder.WriteBytes(name, png);
                plots.Add(name);
            }
        folder.WriteText("report.md", Markdown(m, plots));
        return folder;
    }

    /// <summary>The report: what ran, the headline tables over seeds, and what is missing.</summary>
    public static string Markdown(SweepMerge m, IReadOnlyList<string> plots)
    {
        var d = m.Plan.Definition;
        var sb = new StringBuilder();
        sb.AppendLine($"# Sweep {d.Name}: {d.Experiment.Name}").AppendLine();
        if (d.Description is not null) sb.AppendLine(d.Description).AppendLine();
        int diverged = m.Finished.Count(f => f.Result.Status == SweepRunStatus.Diverged);
        sb.AppendLine($"- Sweep file: `{d.SourcePath}`; folder: `{m.Plan.Root}`.");
        // each value in a code span: a label may itself hold ", " (a list of two optimisers)
        sb.AppendLine($"- Axes: {(d.Axes.Count == 0 ? "none" : string.Join("; ", d.Axes.Select(a => $"{a.Path} ∈ {{{string.Join(", ", SettingsContract.Labels(a.Values).Select(l => $"`{l}`"))}}}")))}.");
        sb.AppendLine($"- Runs: {m.Plan.Runs.Count} planned, {m.Finished.Count} finished ({diverged} diverged), {m.Unfinished.Count} not finished" +
                      (m.Unfinished.Count > 0 ? " (listed at the end; this report covers only what is finished)." : "."));
        if (m.Fold.Folded)
            sb.AppendLine($"- Metric names: every run reports under one key ({string.Join(", ", m.Fold.Keys)}), as `<key>.<metric>`; the key is " +
                          "folded away here (`<metric>`), so each key's value is on its own row and the keys compare; each run's " +
                          "`runs/<id>/result.json` keeps the full names.");
        else if (m.Fold.Note is { } note)
            sb.AppendLine($"- Metric names: {note}.");
        sb.AppendLine("- Each cell is the mean over the completed seeds ± the half-width of its 95 % interval (Student's t); " +
                      "n is the number of seeds. A point is called worse than the best only when the two intervals are disjoint; " +
                      "overlapping intervals are not called a difference, and one seed has no interval.").AppendLine();

        var groupAxes = d.Axes.Where(a => !a.IsSeed).Select(a => a.Path).ToList();
        foreach (var h in m.Headline)
        {
            sb.AppendLine($"## {h.Name} ({h.Direction})").AppendLine();
            var standings = m.Standings(h);
            sb.AppendLine("| " + string.Join(" | ", groupAxes.Append(h.Name).Append("n").Append("against the best")) + " |");
            sb.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", groupAxes.Count)) + "---:|---:|---|");
            for (int i = 0; i < m.Groups.Count; ++i)
            {
                var g = m.Groups[i];
                var s = g.Metrics.GetValueOrDefault(h.Name);
                string cell = s is { Count: > 0 } ? s.Format("G4") : "—";
                string n = $"{g.Completed}/{g.Planned}" + (g.Diverged > 0 ? $" ({g.Diverged} diverged)" : "");
                sb.AppendLine("| " + string.Join(" | ", g.Point.Select(p => Cell(p.Label)).Append(cell).Append(n).Append(Words(standings[i]))) + " |");
            }
            sb.AppendLine();
        }
        if (plots.Count > 0)
            sb.AppendLine("Plots (error bars: 95 % intervals): " + string.Join(", ", plots.Select(p => $"`{p}`")) + ".").AppendLine();
        sb.AppendLine("Every metric of every point (mean, sd, interval, n): `summary.csv`, `summary.json`; every finished run: " +
                      "`results.csv` (results) and `timing.csv` (this machine's seconds and speeds); each run's own folder: `runs/<id>/`.").AppendLine();
        if (m.Unfinished.Count > 0)
        {
            sb.AppendLine("## Not finished").AppendLine();
            sb.AppendLine("| # | id | run | state |").AppendLine("|---:|---|---|---|");
            foreach (var u in m.Unfinished)
                sb.AppendLine($"| {u.Run.Index + 1} | `{u.Run.Id}` | {Cell(u.Run.ReadableLabel)} | {Cell(u.Detail)} |");
            sb.AppendLine().AppendLine($"Finish them with `hybrid sweep run {d.SourcePath}` (or the Slurm script again); then merge again.");
        }
        return sb.ToString();
    }

    private static string Words(Standing s) => s switch
    {
        Standing.Best => "**best**",
        Standing.Worse => "worse (intervals disjoint)",
        Standing.Indistinguishable => "not distinguishable",
        Standing.NoInterval => "one seed: no interval",
        _ => "no data",
    };

    private static string Cell(string text) => text.Replace("|", "\\|");

    private static JsonObject SummaryJson(SweepMerge m)
    {
        static JsonNode? Num(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;
        // the runs of a group differ only in the seed, so they share a key
        var keyOfGroup = m.Plan.Runs.GroupBy(r => r.GroupKey).ToDictionary(g => g.Key, g => m.Fold.KeyOf(g.First()));
        var groups = new JsonArray();
        foreach (var g in m.Groups)
            groups.Add(new JsonObject
            {
                ["point"] = new JsonObject(g.Point.Select(p => KeyValuePair.Create(p.Axis, (JsonNode?)JsonValue.Create(p.Value)))),
                ["label"] = new JsonObject(g.Point.Select(p => KeyValuePair.Create(p.Axis, (JsonNode?)JsonValue.Create(p.Label)))),
                ["metricKey"] = keyOfGroup[g.Key],
                ["planned"] = g.Planned,
                ["completed"] = g.Completed,
                ["diverged"] = g.Diverged,
                ["metrics"] = new JsonObject(g.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
                {
                    ["mean"] = Num(kv.Value.Mean), ["sd"] = Num(kv.Value.Sd), ["ci95"] = Num(kv.Value.HalfWidth),
                    ["low"] = Num(kv.Value.Low), ["high"] = Num(kv.Value.High), ["n"] = kv.Value.Count,
                }))),
            });
        var unfinished = new JsonArray();
        foreach (var u in m.Unfinished)
            unfinished.Add(new JsonObject { ["index"] = u.Run.Index, ["id"] = u.Run.Id, ["run"] = u.Run.Label, ["state"] = u.State.ToString().ToLowerInvariant(), ["detail"] = u.Detail });
        return new JsonObject
        {
            ["sweep"] = m.Plan.Definition.Name,
            ["experiment"] = m.Plan.Definition.Experiment.Name,
            ["planned"] = m.Plan.Runs.Count,
            ["finished"] = m.Finished.Count,
            ["headline"] = new JsonArray(m.Headline.Select(h => (JsonNode?)JsonValue.Create(h.Name)).ToArray()),
            ["metricKeys"] = new JsonObject
            {
                ["folded"] = m.Fold.Folded, ["keys"] = new JsonArray(m.Fold.Keys.Select(k => (JsonNode?)k).ToArray()), ["note"] = m.Fold.Note,
            },
            ["groups"] = groups,
            ["unfinished"] = unfinished,
            ["mergedUtc"] = DateTime.UtcNow,
        };
    }

    /// <summary>
    /// The headline metric against the first numeric axis that is not the seed (else the first
    /// such axis, as categories), one series per combination of the remaining axes (at most 12;
    /// more gives no plot), error bars at the 95 % intervals. Null when nothing is finished.
    /// </summary>
    private static byte[]? Plot(SweepMerge m, HeadlineMetric h)
    {
        var groups = m.Groups.Where(g => g.Metrics.TryGetValue(h.Name, out var s) && s.Count > 0).ToList();
        if (groups.Count == 0) return null;
        // x: the first numeric axis (else the first axis) that is not the seed; log10 when it spans a decade or more.
        // Numeric by label, as the ticks show it: a list of one number ([64]) is that number.
        var candidates = m.Plan.Definition.Axes.Where(a => !a.IsSeed).ToList();
        var xAxis = candidates.FirstOrDefault(a => SettingsContract.Labels(a.Values).All(l => double.TryParse(l, NumberStyles.Float, Inv, out _)))
                    ?? candidates.FirstOrDefault();
        string XOf(GroupSummary g) => xAxis is null ? "" : g.Point.First(p => p.Axis == xAxis.Path).Label;
        string SeriesOf(GroupSummary g) => AxisValue.Readable(g.Point.Where(p => p.Axis != xAxis?.Path));
        var series = groups.GroupBy(SeriesOf).ToList();
        if (series.Count > 12) return null;
        List<string> labels = xAxis is null ? [""] : [.. SettingsContract.Labels(xAxis.Values)];
        bool numeric = labels.All(l => double.TryParse(l, NumberStyles.Float, Inv, out _));
        var numbers = numeric ? labels.Select(l => double.Parse(l, Inv)).ToList() : [];
        bool log = numeric && numbers.All(x => x > 0) && numbers.Max() / numbers.Min() >= 10;
        double Position(string label) => !numeric ? labels.IndexOf(label) : log ? Math.Log10(double.Parse(label, Inv)) : double.Parse(label, Inv);

        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int k = 0;
        foreach (var s in series)
        {
            var points = s.OrderBy(g => Position(XOf(g))).ToList();
            double[] xs = points.Select(g => Position(XOf(g))).ToArray();
            double[] ys = points.Select(g => g.Metrics[h.Name].Mean).ToArray();
            double[] err = points.Select(g => g.Metrics[h.Name] is { Count: > 1 } sm ? sm.HalfWidth : 0).ToArray();
            var color = palette.GetColor(k++);
            var sc = plt.Add.Scatter(xs, ys, color);
            sc.LegendText = s.Key == "" ? h.Name : s.Key;
            sc.MarkerSize = 7;
            var bars = plt.Add.ErrorBar(xs, ys, err);
            bars.Color = color;
        }
        if (!numeric)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int i = 0; i < labels.Count; ++i) ticks.AddMajor(i, labels[i]);
            plt.Axes.Bottom.TickGenerator = ticks;
        }
        plt.Title($"{m.Plan.Definition.Name}: {h.Name} (mean ± 95 % interval over seeds)");
        plt.XLabel(xAxis is null ? "" : log ? $"log10({xAxis.Path})" : xAxis.Path);
        plt.YLabel(h.Name);
        if (series.Count > 1 || series[0].Key != "") plt.ShowLegend(Alignment.LowerRight);
        return plt.GetImageBytes(900, 550, ImageFormat.Png);
    }

    private static string FileName(string metric) => new(metric.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());

    private static string G(double x) => x.ToString("R", Inv);

    private static string Csv(IEnumerable<string> fields) =>
        string.Join(',', fields.Select(f => f.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{f.Replace("\"", "\"\"")}\"" : f));
}
