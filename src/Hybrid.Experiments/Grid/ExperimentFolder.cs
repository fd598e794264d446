using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Grid;

/// <summary>The top of an experiment's run folder: its config.json, written once checks have passed.</summary>
public static class ExperimentFolder
{
    /// <summary>
    /// Writes <paramref name="settings"/> as config.json — after checking that a fresh experiment
    /// does not overwrite another one, and that a resumed one has the same settings.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds another experiment.</exception>
    public static void Begin<T>(RunFolder folder, T settings, bool resume, string command)
    {
        string json = JsonSerializer.Serialize(settings, RunFolder.Json);
        if (!resume && folder.Has("config.json"))
            throw new InvalidOperationException($"{folder.Path} already holds an experiment; use --resume to continue it or choose another --out.");
        if (resume && folder.Has("config.json") && !Same(File.ReadAllText(folder.File("config.json")), json))
            throw new InvalidOperationException(
                $"cannot resume {folder.Path}: its settings differ from this {command} command's (see its config.json).");
        folder.WriteText("config.json", json + "\n");
    }

    private static bool Same(string a, string b) => JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
}
