using System.Globalization;
using ScottPlot;

namespace Hybrid.Experiments.Grid;

/// <summary>Plot helpers for the Part II experiments (ScottPlot): log axes, lines with error bars, heatmaps, panels.</summary>
public static class GridPlots
{
    /// <summary>The colour of series <paramref name="i"/>.</summary>
    public static Color Color(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    /// <summary>Labels an axis that holds log10 values as powers of ten ("1e-3").</summary>
    public static void Log10Ticks(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => Math.Abs(v - Math.Round(v)) < 1e-9 ? $"1e{Math.Round(v).ToString(CultureInfo.InvariantCulture)}" : "",
            IntegerTicksOnly = true,
        };
    }

    /// <summary>
    /// Makes <paramref name="axis"/> (holding log10 values) span the finite <paramref name="log10Values"/>
    /// — at least <paramref name="minSpan"/> decades, so rounding noise around a constant is not
    /// blown up — with ticks at powers of ten, or at 1, 2, 5 × powers of ten when under three
    /// decades are shown.
    /// </summary>
    public static void Log10Axis(Plot plt, IAxis axis, IEnumerable<double> log10Values, double minSpan = 1)
    {
        var v = log10Values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return;
        double lo = v.Min(), hi = v.Max();
        if (hi - lo < minSpan)
        {
            double mid = (hi + lo) / 2;
            (lo, hi) = (mid - minSpan / 2, mid + minSpan / 2);
        }
        double pad = 0.05 * (hi - lo);
        (lo, hi) = (lo - pad, hi + pad);
        var ticks = new List<(double Position, string Label)>();
        double[] mantissas = hi - lo < 3 ? [1, 2, 5] : [1];
        for (int e = (int)Math.Floor(lo) - 1; e <= (int)Math.Ceiling(hi); ++e)
            foreach (var m in mantissas)
            {
                double pos = e + Math.Log10(m);
                if (pos >= lo && pos <= hi) ticks.Add((pos, (m * Math.Pow(10, e)).ToString("G3", CultureInfo.InvariantCulture)));
            }
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        if (axis == plt.Axes.Left) plt.Axes.SetLimitsY(lo, hi);
        else if (axis == plt.Axes.Bottom) plt.Axes.SetLimitsX(lo, hi);
    }

    /// <summary>
    /// Adds a line with markers and, where a half-width is finite, vertical error bars; points
    /// whose value is not finite are left out.
    /// </summary>
    public static void Line(Plot plt, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? halfWidth,
        string label, Color color, LinePattern? pattern = null)
    {
        var idx = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        if (idx.Length == 0) return;
        double[] xs = idx.Select(i => x[i]).ToArray(), ys = idx.Select(i => y[i]).ToArray();
        var sc = plt.Add.Scatter(xs, ys, color);
        sc.LegendText = label;
        sc.MarkerSize = 6;
        if (pattern is { } p) sc.LinePattern = p;
        if (halfWidth is null) return;
        var withBars = idx.Where(i => double.IsFinite(halfWidth[i])).ToArray();
        if (withBars.Length == 0) return;
        var eb = plt.Add.ErrorBar(withBars.Select(i => x[i]).ToArray(), withBars.Select(i => y[i]).ToArray(),
            withBars.Select(i => halfWidth[i]).ToArray());
        eb.Color = color;
    }

    /// <summary>
    /// A heatmap of <paramref name="values"/> [rows, columns] drawn as one filled square per cell
    /// (viridis from <paramref name="min"/> to <paramref name="max"/>, NaN cells grey) with each
    /// cell's text written on it; rows are labelled top to bottom and columns left to right.
    /// </summary>
    public static Plot Heatmap(double[,] values, string[,] text, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        string title, string xLabel, string yLabel, double min, double max)
    {
        var plt = new Plot();
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var viridis = new ScottPlot.Colormaps.Viridis();
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
            {
                double v = values[r, c], y = rows - 1 - r;
                var cell = plt.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = double.IsFinite(v) ? viridis.GetColor(Math.Clamp((v - min) / (max - min), 0, 1)) : Colors.LightGray;
                cell.LineColor = Colors.White;
                var t = plt.Add.Text(text[r, c], c, y);
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontSize = 11;
                t.LabelFontColor = double.IsFinite(v) && v > min + 0.6 * (max - min) ? Colors.Black : Colors.White;
            }
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols).Select(i => (double)i).ToArray(), columnLabels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i)).ToArray(), rowLabels.ToArray());
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        plt.HideGrid();
        return plt;
    }

    /// <summary>Renders plots as panels of a grid (row by row) into one PNG.</summary>
    public static byte[] Panels(IReadOnlyList<Plot> plots, int columns, int panelWidth = 520, int panelHeight = 380)
    {
        if (plots.Count == 1) return plots[0].GetImageBytes(panelWidth, panelHeight, ImageFormat.Png);
        int rows = (plots.Count + columns - 1) / columns;
        var mp = new Multiplot(plots[0]); // starts with that one plot
        foreach (var p in plots.Skip(1)) mp.AddPlot(p);
        mp.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        return mp.Render(columns * panelWidth, rows * panelHeight).GetImageBytes(ImageFormat.Png);
    }
}
