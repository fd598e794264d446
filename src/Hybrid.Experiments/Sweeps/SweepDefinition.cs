using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>One axis of a sweep: a settings field (dotted path) and the values it takes, in order.</summary>
/// <param name="Path">The field's dotted path in the settings (<c>optimizer.lr</c>).</param>
/// <param name="Values">Its values, as JSON.</param>
/// <param name="IsSeed">Whether this is the seed axis (summarised over by <c>sweep merge</c>).</param>
public sealed record SweepAxis(string Path, IReadOnlyList<JsonNode?> Values, bool IsSeed);

/// <summary>
/// A sweep file, read and checked (docs/sweeps.md has the schema):
/// <code>
/// { "name": "bits", "experiment": "train", "description": "…",
///   "base": { "epochs": 3, "optimizer": { "name": "lns-madam" } },
///   "axes": { "optimizer.bits": [4, 6, 8], "optimizer.lr": [0.01, 0.003] },
///   "seeds": 3,
///   "out": "runs/sweeps/bits" }
/// </code>
/// <c>base</c> overlays the experiment's defaults field by field; each axis sets one field (a
/// dotted path reaches into nested settings); <c>seeds</c> (a count K, meaning 0…K−1, or a list)
/// is the seed axis, always the last and fastest-varying. Everything is checked here, before
/// anything runs; errors name the file and the field.
/// </summary>
public sealed record SweepDefinition(string Name, IExperiment Experiment, string? Description, JsonObject Base,
    IReadOnlyList<SweepAxis> Axes, string Out, string SourcePath, string SourceText)
{
    /// <summary>The top-level keys a sweep file may have.</summary>
    public static readonly IReadOnlyList<string> Keys = ["name", "experiment", "description", "base", "axes", "seeds", "out"];

    /// <summary>The most runs one sweep may plan (docs/sweeps.md, "How big a sweep may be"): the product of its axes' lengths
    /// and its seeds is checked against it before anything is expanded.</summary>
    public const int MaxRuns = 100_000;

    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.Compiled);

    /// <summary>Reads and checks the sweep file at <paramref name="path"/>.</summary>
    /// <param name="path">The sweep file.</param>
    /// <param name="outOverride">A sweep folder that replaces the file's <c>out</c> (<c>--out</c>).</param>
    /// <exception cref="ArgumentException">The file is missing, not JSON, or names something unknown or of the wrong type.</exception>
    public static SweepDefinition Load(string path, string? outOverride = null)
    {
        if (!File.Exists(path)) throw new ArgumentException($"sweep file {path} does not exist.", "file");
        string text;
        try
        {
            // a regular file of at most 1 MiB (a FIFO, /dev/zero or a huge file is refused, not read): issue 22 item 9
            text = Hybrid.Synapse.Files.RegularFile.ReadText(path, "a sweep file", 1 << 20);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"sweep file {e.Message}", "file");
        }
        return Parse(text, Path.GetFullPath(path), outOverride);
    }

    /// <summary>Parses a sweep file's text (<paramref name="source"/> names it in errors).</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="source">Its path, for errors and reports.</param>
    /// <param name="outOverride">A sweep folder that replaces the file's <c>out</c>.</param>
    /// <param name="experiments">The experiments it may name (default: <see cref="ExperimentRegistry.All"/>; tests pass their own).</param>
    public static SweepDefinition Parse(string text, string source, string? outOverride = null, IReadOnlyList<IExperiment>? experiments = null)
    {
        experiments ??= ExperimentRegistry.All;
        string where = $"sweep file {source}";
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false })
                       as JsonObject ?? throw new ArgumentException($"{where} must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{where} is not valid JSON: {e.Message}");
        }
        foreach (var (key, _) in root)
            if (!Keys.Contains(key))
                throw new ArgumentException($"{where}: unknown key '{key}'; valid: {string.Join(", ", Keys)}.");

        string name = String(root, "name", where) ?? throw new ArgumentException($"{where}: 'name' is missing (a short name for the sweep's folder and jobs).");
        if (!NamePattern.IsMatch(name))
            throw new ArgumentException($"{where}: name '{name}' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        string expName = String(root, "experiment", where)
                         ?? throw new ArgumentException($"{where}: 'experiment' is missing; valid: {string.Join(", ", experiments.Select(e => e.Name))}.");
        var experiment = experiments.FirstOrDefault(e => e.Name == expName)
                         ?? throw new ArgumentException($"{where}: unknown experiment '{expName}'; valid: {string.Join(", ", experiments.Select(e => e.Name))}.");
        string? description = String(root, "description", where);

        var baseNode = root["base"] switch
        {
            null => new JsonObject(),
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => throw new ArgumentException($"{where}: 'base' must be an object of {experiment.Name} settings."),
        };
        SettingsContract.CheckObject(baseNode, experiment.SettingsType, $"{where}: base");

        var axes = new List<SweepAxis>();
        switch (root["axes"])
        {
            case null: break;
            case JsonObject o:
                foreach (var (axis, values) in o) axes.Add(Axis(experiment, axis, values, where));
                break;
            default:
                throw new ArgumentException($"{where}: 'axes' must be an object: {{ \"field\": [values…], … }}.");
        }
        if (root["seeds"] is { } seeds)
        {
            if (axes.Any(a => a.IsSeed))
                throw new ArgumentException($"{where}: give the seeds either as 'seeds' or as the axis '{experiment.SeedField}', not both.");
            axes.Add(new SweepAxis(experiment.SeedField, Seeds(seeds, where), true));
        }

        RequireSize(axes, where);

        string outPath = outOverride ?? String(root, "out", where) ?? Path.Combine("runs", "sweeps", name);
        if (string.IsNullOrWhiteSpace(outPath)) throw new ArgumentException($"{where}: 'out' is empty.");
        return new SweepDefinition(name, experiment, description, baseNode, axes, Path.GetFullPath(outPath), source, text);
    }

    /// <summary>Refuses a grid of more than <see cref="MaxRuns"/> runs from its axes' lengths alone, before a run is expanded
    /// (a 10^7-run grid used to grow past 2 GB and print nothing for a minute: issue 22 item 9). The product is exact
    /// (<see cref="System.Numerics.BigInteger"/>), so no number of axes can overflow it.</summary>
    private static void RequireSize(IReadOnlyList<SweepAxis> axes, string where)
    {
        var runs = System.Numerics.BigInteger.One;
        foreach (var a in axes) runs *= a.Values.Count;
        if (runs <= MaxRuns) return;
        string factors = string.Join(" × ", axes.Select(a => $"{(a.IsSeed ? "seeds" : a.Path)} {a.Values.Count}"));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        throw new ArgumentException($"{where}: its axes make {runs.ToString("N0", inv)} runs ({factors}), over the limit of " +
                                    $"{MaxRuns.ToString("N0", inv)} runs per sweep; split it into several sweep files.");
    }

    private static SweepAxis Axis(IExperiment experiment, string path, JsonNode? values, string where)
    {
        string what = $"{where}: axis";
        var field = SettingsContract.FieldAt(experiment.SettingsType, path, what);
        if (values is not JsonArray list)
            throw new ArgumentException($"{what} '{path}' must be a list of values, e.g. \"{path}\": [1, 2].");
        if (list.Count == 0) throw new ArgumentException($"{what} '{path}' is empty: give it at least one value.");
        for (int i = 0; i < list.Count; ++i)
            SettingsContract.CheckValue(list[i], field, $"{what} '{path}' value {i + 1}");
        return new SweepAxis(path, list.Select(v => v?.DeepClone()).ToList(), path == experiment.SeedField);
    }

    private static List<JsonNode?> Seeds(JsonNode seeds, string where)
    {
        const string Expect = "'seeds' must be a count K ≥ 1 (seeds 0…K−1) or a list of integer seeds";
        if (seeds is JsonValue v && v.TryGetValue(out long k))
        {
            if (k is < 1 or > 100_000) throw new ArgumentException($"{where}: {Expect}; got {k}.");
            return Enumerable.Range(0, (int)k).Select(i => (JsonNode?)JsonValue.Create((long)i)).ToList();
        }
        if (seeds is JsonArray a && a.Count > 0 && a.All(x => x is JsonValue xv && xv.TryGetValue(out long _)))
            return a.Select(x => x?.DeepClone()).ToList();
        throw new ArgumentException($"{where}: {Expect}; got {seeds.ToJsonString()}.");
    }

    private static string? String(JsonObject root, string key, string where) => root[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw new ArgumentException($"{where}: '{key}' must be a string, got {other.ToJsonString()}."),
    };
}
