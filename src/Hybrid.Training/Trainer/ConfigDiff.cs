using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hybrid.Training.Trainer;

/// <summary>
/// Where two run configurations (JSON objects) differ, field by field: what a refused resume tells
/// the user ("optimizer.lr: 0.01 in the run, 0.001 in this command").
/// </summary>
public static class ConfigDiff
{
    /// <summary>Every differing field as "path: recorded in the run → in this command", leaving out
    /// the top-level fields in <paramref name="mayDiffer"/>.</summary>
    /// <exception cref="InvalidDataException"><paramref name="recorded"/> is not valid JSON (named by <paramref name="source"/>).</exception>
    public static IReadOnlyList<string> Differences(string recorded, string current, string source, params string[] mayDiffer)
    {
        JsonNode? a;
        // a key given twice would make the comparison depend on which copy counts (found by fuzzing)
        var strict = new JsonDocumentOptions { AllowDuplicateProperties = false };
        try { a = JsonNode.Parse(recorded, documentOptions: strict); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e); }
        var b = JsonNode.Parse(current, documentOptions: strict);
        var found = new List<string>();
        Compare(a, b, "", found, mayDiffer);
        return found;
    }

    /// <summary>Throws unless the configurations agree (outside <paramref name="mayDiffer"/>); the message names every differing field.</summary>
    /// <exception cref="InvalidOperationException">They differ.</exception>
    public static void RequireSame(string recorded, string current, string location, string source, params string[] mayDiffer)
    {
        var diff = Differences(recorded, current, source, mayDiffer);
        if (diff.Count == 0) return;
        string may = mayDiffer.Length == 0 ? "no setting may change" : $"only {string.Join(", ", mayDiffer.Select(m => "--" + Kebab(m)))} may change";
        throw new InvalidOperationException(
            $"cannot resume {location}: {diff.Count} setting{(diff.Count == 1 ? " differs" : "s differ")} from the run's ({may}): " +
            string.Join("; ", diff) + ". Repeat the run's settings (see its config.json), or start a new run.");
    }

    private static void Compare(JsonNode? a, JsonNode? b, string path, List<string> found, string[] mayDiffer)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
            {
                if (path.Length == 0 && mayDiffer.Contains(key)) continue;
                Compare(oa[key], ob[key], path.Length == 0 ? key : $"{path}.{key}", found, mayDiffer);
            }
            return;
        }
        if (a is JsonArray xa && b is JsonArray xb && xa.Count == xb.Count)
        {
            for (int i = 0; i < xa.Count; ++i) Compare(xa[i], xb[i], $"{path}[{i}]", found, mayDiffer);
            return;
        }
        if (!JsonNode.DeepEquals(a, b))
            found.Add($"{path}: {Show(a)} in the run, {Show(b)} in this command");
    }

    private static string Show(JsonNode? n) => n is null ? "(unset)" : n.ToJsonString();

    private static string Kebab(string camel) =>
        string.Concat(camel.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
