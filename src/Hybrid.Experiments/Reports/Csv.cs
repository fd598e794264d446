using System.Globalization;
using System.Text;

namespace Hybrid.Experiments.Reports;

/// <summary>The comma-separated tables of the experiments' reports: invariant culture, round-trippable doubles.</summary>
public static class Csv
{
    /// <summary>A header and rows as CSV.</summary>
    public static string Of(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        var sb = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var row in rows) sb.Append(string.Join(',', row.Select(Cell))).Append('\n');
        return sb.ToString();
    }

    /// <summary>CSV of records, one column per public property in declaration order (names in snake_case).</summary>
    public static string OfRecords<T>(IEnumerable<T> rows)
    {
        var props = typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract").ToArray();
        return Of(props.Select(p => SnakeCase(p.Name)), rows.Select(r => props.Select(p => p.GetValue(r))));
    }

    /// <summary>"LargeMarginError" → "large_margin_error".</summary>
    public static string SnakeCase(string name) =>
        string.Concat(name.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString()!.Contains(',') ? $"\"{v}\"" : v.ToString()!,
    };
}
