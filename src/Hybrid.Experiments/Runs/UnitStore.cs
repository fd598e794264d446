using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// The one store of resumable units of work, for every experiment that is made of many (margin's α
/// units, bpm's (n, seed) units, trust's bound nets and slice runs, depth's and transfer's points,
/// compare's (row, seed) runs). A unit is a pure function of its config (which includes its seed); it
/// lives in its own sub-folder and, once finished, holds <c>unit.json</c> = { config, result }, written
/// atomically and checked against the folder's manifest when read. A resumed (or sharded) run reads
/// every finished unit back instead of computing it again; a unit folder holding another config is
/// refused, naming the differing fields (it was copied from another run).
/// </summary>
public static class UnitStore
{
    /// <summary>The file a finished unit writes.</summary>
    public const string File = "unit.json";

    /// <summary>Whether <paramref name="folder"/> holds a finished unit (of any config).</summary>
    public static bool IsFinished(RunFolder folder) => folder.Has(File);

    /// <summary>The result of the finished unit in <paramref name="folder"/>, or null when it holds none.</summary>
    /// <exception cref="InvalidOperationException">It holds a finished unit of another config (the message names the differences).</exception>
    /// <exception cref="InvalidDataException">unit.json fails its checksum or is not a unit of this kind.</exception>
    public static TResult? Find<TConfig, TResult>(RunFolder folder, TConfig config) where TResult : class
    {
        if (!IsFinished(folder)) return null;
        var (stored, wanted, node) = Read(folder, config);
        if (!SameJson(stored, wanted))
            throw new InvalidOperationException(
                $"{folder.Path} holds a finished unit of other settings ({string.Join("; ", ConfigDiff.Differences(stored, wanted, folder.File(File)))}): " +
                "it belongs to another run; move it away, or start a new run.");
        return Result<TResult>(folder, node);
    }

    /// <summary>As <see cref="Find"/>, but a unit of another config reads as missing (for reading the units of
    /// another run, which may hold other settings: <c>uncertainty --from</c>).</summary>
    public static TResult? TryRead<TConfig, TResult>(RunFolder folder, TConfig config) where TResult : class
    {
        if (!IsFinished(folder)) return null;
        var (stored, wanted, node) = Read(folder, config);
        return SameJson(stored, wanted) ? Result<TResult>(folder, node) : null;
    }

    /// <summary>Records a finished unit (atomically, through the folder's manifest).</summary>
    public static void Write<TConfig, TResult>(RunFolder folder, TConfig config, TResult result) =>
        folder.WriteJson(File, new UnitFile<TConfig, TResult>(config, result));

    private static (string Stored, string Wanted, JsonNode Node) Read<TConfig>(RunFolder folder, TConfig config)
    {
        // without its manifest unit.json would be read unchecked (scripts/probe-files.sh)
        if (!folder.Manifest.Exists)
            throw new InvalidDataException(
                $"{folder.File(RunManifest.FileName)} is {(Directory.Exists(folder.File(RunManifest.FileName)) ? "a directory" : "missing")}: " +
                $"the finished unit's {File} cannot be verified (the folder is damaged); move the folder away to compute the unit again.");
        var text = folder.ReadText(File);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{folder.File(File)} is not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (node is not JsonObject unit || unit["config"] is not { } stored || unit["result"] is null)
            throw new InvalidDataException($"{folder.File(File)} is not a finished unit (it needs a config and a result).");
        return (stored.ToJsonString(), JsonSerializer.Serialize(config, RunFolder.Json), node);
    }

    private static TResult Result<TResult>(RunFolder folder, JsonNode node) where TResult : class =>
        RunFolder.ParseJson<TResult>(node["result"]!.ToJsonString(), folder.File(File));

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
