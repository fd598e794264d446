using System.Globalization;

namespace Hybrid.Experiments.Options;

/// <summary>
/// How every option's text becomes a value — the one rule for scalars and lists alike, so that
/// <c>--width</c>, <c>--bits</c> and a sweep's axis read "8" the same way. Numbers are invariant
/// culture and finite (NaN and ±infinity are refused: no option takes them); integers must fit their
/// type. A list is comma-separated with entries trimmed; "" or "none" is the empty list; an empty entry
/// ("8,,4", "8,") is an error. Name lists are lower-cased. Every error is an <see cref="ArgumentException"/>
/// whose message names the option and the text.
/// </summary>
public static class Values
{
    /// <summary>An exception's message for a user: without .NET's " (Parameter 'x')" suffix, also one an outer message
    /// copied from an inner exception.</summary>
    public static string PlainMessage(Exception e) => System.Text.RegularExpressions.Regex.Replace(e.Message, @" \(Parameter '[^']*'\)", "");

    /// <summary>An integer.</summary>
    public static int Int(string text, string option) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw Bad(option, text, IsInteger(text) ? $"an integer from {int.MinValue} to {int.MaxValue}" : "an integer");

    /// <summary>A 64-bit integer.</summary>
    public static long Long(string text, string option) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
            : throw Bad(option, text, IsInteger(text) ? $"an integer from {long.MinValue} to {long.MaxValue}" : "an integer");

    /// <summary>A finite number.</summary>
    public static double Number(string text, string option)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw Bad(option, text, "a number");
        return double.IsFinite(v) ? v : throw Bad(option, text, "a finite number");
    }

    /// <summary>A finite number that float32 holds.</summary>
    public static float Single(string text, string option)
    {
        double v = Number(text, option);
        return float.IsFinite((float)v) ? (float)v : throw Bad(option, text, "a number that float32 holds");
    }

    /// <summary>true or false (a flag given without a value is true).</summary>
    public static bool Flag(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw Bad(option, text, "true or false"),
    };

    /// <summary>A comma-separated list of integers.</summary>
    public static int[] Ints(string text, string option) => List(text, option, "integers", "16,8,4", e => Int(e, option));

    /// <summary>A comma-separated list of finite numbers.</summary>
    public static double[] Numbers(string text, string option) => List(text, option, "numbers", "1e-3,0.01,0.1", e => Number(e, option));

    /// <summary>A comma-separated list of names, lower-cased.</summary>
    public static string[] Names(string text, string option) => List(text, option, "names", "adam,sgd", e => e.ToLowerInvariant());

    /// <summary>Checks that a list is not empty and names no value twice.</summary>
    /// <exception cref="ArgumentException">It is empty or repeats a value (the message names <paramref name="option"/>).</exception>
    public static void RequireNonEmptyDistinct<T>(IReadOnlyCollection<T> values, string option)
    {
        if (values.Count == 0) throw new ArgumentException($"--{option} is empty: give at least one value.", option);
        if (values.Distinct().Count() != values.Count)
            throw new ArgumentException($"--{option} lists a value twice: {string.Join(",", values)}.", option);
    }

    private static T[] List<T>(string text, string option, string what, string example, Func<string, T> parse)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var entries = trimmed.Split(',', StringSplitOptions.TrimEntries);
        var result = new T[entries.Length];
        for (int i = 0; i < entries.Length; ++i)
        {
            string why;
            if (entries[i].Length == 0) why = $"entry {i + 1} is empty";
            else
            {
                try
                {
                    result[i] = parse(entries[i]);
                    continue;
                }
                catch (ArgumentException e) when (e.Data["why"] is string inner)
                {
                    why = $"'{entries[i]}' is not {inner}";
                }
            }
            throw new ArgumentException($"--{option} '{text}' must be comma-separated {what}, e.g. {example} ({why}).", option);
        }
        return result;
    }

    private static bool IsInteger(string text)
    {
        var t = text.Trim();
        if (t.StartsWith('-') || t.StartsWith('+')) t = t[1..];
        return t.Length > 0 && t.All(char.IsAsciiDigit);
    }

    private static ArgumentException Bad(string option, string text, string what)
    {
        var e = new ArgumentException($"--{option} '{text}' is not {what}.", option);
        e.Data["why"] = what;
        return e;
    }
}
