using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Margin;

/// <summary>
/// The units of Part I's grids (one α and seed, one n and seed, …): each unit is a pure function
/// of its config (which includes its seed) and lives in its own sub-folder with <c>unit.json</c>
/// = { config, result }, written atomically when the unit finishes. A resumed (or sharded) run
/// reuses every unit whose unit.json holds the same config and recomputes the rest.
/// </summary>
public static class Units
{
    /// <summary>The file a finished unit writes.</summary>
    public const string File = "unit.json";

    /// <summary>The result of a finished unit in <paramref name="unit"/> whose config equals <paramref name="config"/>, else null.</summary>
    public static TResult? TryRead<TConfig, TResult>(RunFolder unit, TConfig config) where TResult : class
    {
        if (!unit.Has(File)) return null;
        var node = JsonNode.Parse(System.IO.File.ReadAllText(unit.File(File)));
        var stored = node?["config"];
        if (stored is null || !SameJson(stored.ToJsonString(), JsonSerializer.Serialize(config, RunFolder.Json))) return null;
        return node!["result"].Deserialize<TResult>(RunFolder.Json);
    }

    /// <summary>Writes a finished unit.</summary>
    public static void Write<TConfig, TResult>(RunFolder unit, TConfig config, TResult result) =>
        unit.WriteJson(File, new UnitFile<TConfig, TResult>(config, result));

    /// <summary>Comma-separated values, invariant culture, round-trippable doubles.</summary>
    public static string Csv(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        var sb = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var row in rows) sb.Append(string.Join(',', row.Select(Cell))).Append('\n');
        return sb.ToString();
    }

    /// <summary>CSV of records, one column per public property in declaration order (names in snake_case).</summary>
    public static string RecordCsv<T>(IEnumerable<T> rows)
    {
        var props = typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract").ToArray();
        return Csv(props.Select(p => SnakeCase(p.Name)), rows.Select(r => props.Select(p => p.GetValue(r))));
    }

    /// <summary>"LargeMarginError" → "large_margin_error".</summary>
    public static string SnakeCase(string name) =>
        string.Concat(name.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString()!.Contains(',') ? $"\"{v}\"" : v.ToString()!,
    };

    // Equal as JSON, a property holding null counting as absent (writers differ in whether they emit nulls).
    private static bool SameJson(string a, string b) => JsonNode.DeepEquals(WithoutNulls(JsonNode.Parse(a)), WithoutNulls(JsonNode.Parse(b)));

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        if (node is JsonObject o)
            foreach (var (key, value) in o.ToList())
                if (value is null) o.Remove(key);
                else WithoutNulls(value);
        else if (node is JsonArray a)
            foreach (var item in a) WithoutNulls(item);
        return node;
    }

    private sealed record UnitFile<TConfig, TResult>(TConfig Config, TResult Result);
}

/// <summary>Seeds derived from a unit's seed, so that each purpose (initial weights, targets, random labels, GP draws)
/// has its own stream and a unit's numbers depend on nothing but its config.</summary>
public static class UnitSeeds
{
    /// <summary>SplitMix64 of (seed, FNV-1a hash of <paramref name="purpose"/>, index), as a non-negative long.</summary>
    public static long Of(long seed, string purpose, long index = 0)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(purpose)) h = (h ^ b) * 1099511628211UL;
        ulong x = Mix(Mix(Mix(unchecked((ulong)seed)) ^ h) ^ unchecked((ulong)index));
        return (long)(x >> 1);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
