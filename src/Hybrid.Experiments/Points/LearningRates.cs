using System.Globalization;
using Hybrid.Experiments.Options;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Points;

/// <summary>The learning rates a set of training points tries, and the check of its optimiser names.</summary>
public static class LearningRates
{
    /// <summary>
    /// The learning rates <paramref name="center"/>·10^j for j = +<paramref name="span"/> … −<paramref name="span"/>
    /// (largest first), written exactly when the centre is a power of ten (0.01, not 0.010000000000000002).
    /// </summary>
    public static double[] Decades(double center, int span)
    {
        if (span < 0) throw new ArgumentException($"--lr-span {span} must be >= 0.", "lr-span");
        double log = Math.Log10(center);
        bool power = Math.Abs(log - Math.Round(log)) < 1e-12;
        return Enumerable.Range(-span, 2 * span + 1).Reverse()
            .Select(j => power ? double.Parse($"1e{(int)Math.Round(log) + j}", CultureInfo.InvariantCulture) : center * Math.Pow(10, j))
            .ToArray();
    }

    /// <summary>The learning rates of an optimiser: decades around its published default.</summary>
    public static double[] Around(string optimizer, int span) => Decades(OptimizerCatalog.DefaultLr(optimizer), span);

    /// <summary>Checks optimiser names against the catalog (the message lists the valid ones).</summary>
    public static void RequireOptimizers(IReadOnlyCollection<string> names)
    {
        Values.RequireNonEmptyDistinct(names, "optimizers");
        foreach (var n in names)
            if (!OptimizerCatalog.Names.Contains(n))
                throw new ArgumentException($"--optimizers: unknown optimizer '{n}'; valid: {string.Join(", ", OptimizerCatalog.Names)}.", "optimizers");
    }
}
