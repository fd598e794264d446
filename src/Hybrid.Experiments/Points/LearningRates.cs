using System.Globalization;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Grid;

/// <summary>Small pieces the Part II experiments share: learning-rate decades and list parsing.</summary>
public static class GridMath
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

    /// <summary>The learning-rate grid of an optimiser: decades around its published default.</summary>
    public static double[] LrGrid(string optimizer, int span) => Decades(OptimizerCatalog.DefaultLr(optimizer), span);

    /// <summary>Parses "a,b,c" as integers; the message names <paramref name="option"/>.</summary>
    public static int[] Ints(string text, string option) => Parse(text, option, s => int.Parse(s, CultureInfo.InvariantCulture), "integers");

    /// <summary>Parses "a,b,c" as numbers; the message names <paramref name="option"/>.</summary>
    public static double[] Doubles(string text, string option) =>
        Parse(text, option, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), "numbers");

    /// <summary>Splits "a,b,c" into trimmed names (lower case).</summary>
    public static string[] Names(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToArray();

    /// <summary>Checks that a list option is not empty and names no value twice.</summary>
    public static void NonEmptyDistinct<T>(IReadOnlyCollection<T> values, string option)
    {
        if (values.Count == 0) throw new ArgumentException($"--{option} is empty: give at least one value.", option);
        if (values.Distinct().Count() != values.Count)
            throw new ArgumentException($"--{option} lists a value twice: {string.Join(",", values)}.", option);
    }

    /// <summary>Checks optimiser names against the catalog (the message lists the valid ones).</summary>
    public static void Optimizers(IReadOnlyCollection<string> names)
    {
        NonEmptyDistinct(names, "optimizers");
        foreach (var n in names)
            if (!OptimizerCatalog.Names.Contains(n))
                throw new ArgumentException($"--optimizers: unknown optimizer '{n}'; valid: {string.Join(", ", OptimizerCatalog.Names)}.", "optimizers");
    }

    private static T[] Parse<T>(string text, string option, Func<string, T> parse, string what)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{option} '{text}' must be comma-separated {what}, e.g. 1,2,4.", option);
        }
        catch (OverflowException)
        {
            throw new ArgumentException($"--{option} '{text}' holds a value out of range.", option);
        }
    }
}
