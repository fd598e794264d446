using Hybrid.Training.Trainer;
using ScottPlot;

namespace Hybrid.Experiments.Runs;

/// <summary>The learning-curve PNG of a run: loss (left axis) and accuracy (right axis) per epoch.</summary>
public static class LearningCurvePlot
{
    /// <summary>Renders one or more labelled runs to PNG bytes: solid lines train, dashed test.</summary>
    public static byte[] Render(string title, IReadOnlyList<(string Label, IReadOnlyList<EpochMetrics> Rows)> series,
        int width = 900, int height = 500)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var (label, rows) in series)
        {
            var color = palette.GetColor(i++);
            string prefix = series.Count > 1 ? label + " " : "";
            double[] x = rows.Select(r => (double)r.Epoch).ToArray();
            var tl = plt.Add.Scatter(x, rows.Select(r => r.TrainLoss).ToArray(), color);
            tl.LegendText = prefix + "train loss";
            var sl = plt.Add.Scatter(x, rows.Select(r => r.TestLoss).ToArray(), color);
            sl.LegendText = prefix + "test loss";
            sl.LinePattern = LinePattern.Dashed;
            var sa = plt.Add.Scatter(x, rows.Select(r => 100 * r.TestAccuracy).ToArray(), color);
            sa.LegendText = prefix + "test accuracy";
            sa.LinePattern = LinePattern.Dotted;
            sa.MarkerShape = MarkerShape.FilledSquare;
            sa.Axes.YAxis = plt.Axes.Right;
        }
        plt.Title(title);
        plt.XLabel("epoch");
        plt.Axes.Left.Label.Text = "cross-entropy loss (solid: train, dashed: test)";
        plt.Axes.Right.Label.Text = "test accuracy (%) (dotted, squares)";
        plt.ShowLegend(Alignment.UpperCenter);
        return plt.GetImageBytes(width, height, ImageFormat.Png);
    }
}
