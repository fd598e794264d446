using System.Globalization;
using ScottPlot;

namespace Hybrid.Experiments.Margin;

/// <summary>One line of a <see cref="SeriesPlot"/>: points with optional ± error bars (NaN: none).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">x values (in data units; a log axis is handled by the plot).</param>
/// <param name="Y">y values.</param>
/// <param name="HalfWidth">Error-bar half-widths (95 % intervals over seeds), or null.</param>
/// <param name="Pattern">Line pattern.</param>
public sealed record Series(string Name, double[] X, double[] Y, double[]? HalfWidth = null, LinePattern? Pattern = null);

/// <summary>Line plots with error bars and reference lines, the shape every Part I plot has (ScottPlot).</summary>
public static class SeriesPlot
{
    /// <summary>Renders a PNG. With <paramref name="logX"/> (<paramref name="logY"/>) that axis is log10 with ticks labelled 1e k;
    /// error bars are then not drawn on a log y axis.</summary>
    public static byte[] Render(string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logX,
        IEnumerable<(string Name, double Y)>? lines = null, (double Min, double Max)? yRange = null, bool logY = false,
        Alignment legend = Alignment.UpperRight, int width = 900, int height = 560)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in series)
        {
            var color = palette.GetColor(i++);
            var xs = s.X.Select(x => logX ? Math.Log10(x) : x).ToArray();
            var ys = s.Y.Select(y => logY ? Math.Log10(y) : y).ToArray();
            var keep = Enumerable.Range(0, xs.Length).Where(j => double.IsFinite(xs[j]) && double.IsFinite(ys[j])).ToArray();
            if (keep.Length == 0) continue;
            var sc = plt.Add.Scatter(keep.Select(j => xs[j]).ToArray(), keep.Select(j => ys[j]).ToArray(), color);
            sc.LegendText = s.Name;
            sc.MarkerSize = 6;
            sc.LineWidth = 2;
            if (s.Pattern is { } pattern) sc.LinePattern = pattern;
            if (!logY && s.HalfWidth is { } hw && keep.Any(j => double.IsFinite(hw[j])))
            {
                var eb = plt.Add.ErrorBar(keep.Select(j => xs[j]).ToArray(), keep.Select(j => s.Y[j]).ToArray(),
                    keep.Select(j => double.IsFinite(hw[j]) ? hw[j] : 0).ToArray());
                eb.Color = color;
            }
        }
        foreach (var (name, y) in lines ?? [])
        {
            if (!double.IsFinite(y)) continue;
            var line = plt.Add.HorizontalLine(y, 1.5f, palette.GetColor(i++), LinePattern.Dashed);
            line.LegendText = name;
        }
        if (logX) plt.Axes.Bottom.TickGenerator = DecadeTicks();
        if (logY) plt.Axes.Left.TickGenerator = DecadeTicks();
        if (yRange is { } r) plt.Axes.SetLimitsY(r.Min, r.Max);
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(legend);
        return plt.GetImageBytes(width, height, ImageFormat.Png);
    }

    // Ticks at whole decades of a log10 axis, labelled 1e-3, 1e0, …
    private static ScottPlot.TickGenerators.NumericAutomatic DecadeTicks() => new()
    {
        LabelFormatter = v => Math.Abs(v - Math.Round(v)) < 1e-9 ? $"1e{Math.Round(v).ToString(CultureInfo.InvariantCulture)}" : "",
        IntegerTicksOnly = true,
    };
}
