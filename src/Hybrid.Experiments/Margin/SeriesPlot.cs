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
    /// <summary>Renders a PNG. With <paramref name="logX"/> the x axis is log10 with ticks labelled 10^k.</summary>
    public static byte[] Render(string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logX,
        IEnumerable<(string Name, double Y)>? lines = null, (double Min, double Max)? yRange = null, int width = 900, int height = 560)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in series)
        {
            var color = palette.GetColor(i++);
            var xs = s.X.Select(x => logX ? Math.Log10(x) : x).ToArray();
            var keep = Enumerable.Range(0, xs.Length).Where(j => double.IsFinite(xs[j]) && double.IsFinite(s.Y[j])).ToArray();
            if (keep.Length == 0) continue;
            var sc = plt.Add.Scatter(keep.Select(j => xs[j]).ToArray(), keep.Select(j => s.Y[j]).ToArray(), color);
            sc.LegendText = s.Name;
            sc.MarkerSize = 6;
            sc.LineWidth = 2;
            if (s.Pattern is { } pattern) sc.LinePattern = pattern;
            if (s.HalfWidth is { } hw && keep.Any(j => double.IsFinite(hw[j])))
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
        if (logX)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => Math.Abs(v - Math.Round(v)) < 1e-9 ? $"1e{Math.Round(v).ToString(CultureInfo.InvariantCulture)}" : "",
                IntegerTicksOnly = true,
            };
            plt.Axes.Bottom.TickGenerator = ticks;
        }
        if (yRange is { } r) plt.Axes.SetLimitsY(r.Min, r.Max);
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(Alignment.UpperRight);
        return plt.GetImageBytes(width, height, ImageFormat.Png);
    }
}
