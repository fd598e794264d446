using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>One axis value of a run: the axis's path, the value exactly (<see cref="SettingsContract.Show"/>: what plan.json
/// records and a run's identity is compared by) and as people read it (<see cref="SettingsContract.Labels"/>: the merged report,
/// plots).</summary>
public sealed record AxisValue(string Axis, string Value, bool IsSeed, string Label)
{
    /// <summary>"optimizers=sgd, adam; seed=1": axis values as people read them. "; " between axes, because a label may hold ", ".</summary>
    public static string Readable(IEnumerable<AxisValue> point) => string.Join("; ", point.Select(p => $"{p.Axis}={p.Label}"));
}

/// <summary>
/// One run of a sweep: its place in the plan, its id (a hash of the experiment's name and its
/// full canonical configuration, so the same configuration is the same run in any sweep, on any
/// machine), the axis values that made it, and its settings.
/// </summary>
public sealed record PlannedRun(int Index, string Id, IReadOnlyList<AxisValue> Point, object Settings, string Canonical, double Cost)
{
    /// <summary>"optimizer.bits=4 seed=1" (or "base" for a sweep without axes).</summary>
    public string Label => Point.Count == 0 ? "base" : string.Join(" ", Point.Select(p => $"{p.Axis}={p.Value}"));

    /// <summary>"optimizers=sgd, adam; seed=1" (<see cref="AxisValue.Readable"/>): the point as reports show it; <see cref="Label"/> is exact.</summary>
    public string ReadableLabel => Point.Count == 0 ? "base" : AxisValue.Readable(Point);

    /// <summary>The point without its seed: runs with the same key differ only in the seed.</summary>
    public string GroupKey => string.Join(" ", Point.Where(p => !p.IsSeed).Select(p => $"{p.Axis}={p.Value}"));

    /// <summary>The seed axis's value, if the sweep has one.</summary>
    public string? Seed => Point.FirstOrDefault(p => p.IsSeed)?.Value;
}

/// <summary>
/// A sweep expanded into its runs, in a fixed order (the axes' cross product in file order, the
/// first axis slowest, seeds fastest), and where everything lives under the sweep folder:
/// <c>runs/&lt;id&gt;/</c> per run, <c>merged/</c>, <c>logs/</c>, <c>plan.json</c>.
/// </summary>
public sealed class SweepPlan
{
    /// <summary>Characters of the SHA-256 hex digest in a run id (48 bits: collisions need ~10^7 runs).</summary>
    public const int IdLength = 12;

    private SweepPlan(SweepDefinition definition, IReadOnlyList<PlannedRun> runs)
    {
        Definition = definition;
        Runs = runs;
    }

    /// <summary>The sweep file.</summary>
    public SweepDefinition Definition { get; }

    /// <summary>Every run, in plan order.</summary>
    public IReadOnlyList<PlannedRun> Runs { get; }

    /// <summary>The sweep folder.</summary>
    public string Root => Definition.Out;

    /// <summary>The folder of run <paramref name="id"/>.</summary>
    public string RunPath(string id) => Path.Combine(Root, "runs", id);

    /// <summary>Where <c>sweep merge</c> writes.</summary>
    public string MergedPath => Path.Combine(Root, "merged");

    /// <summary>Where scheduler logs go.</summary>
    public string LogsPath => Path.Combine(Root, "logs");

    /// <summary>Reads, checks and expands the sweep file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">Anything wrong with the file or any run's settings; nothing has been written.</exception>
    public static SweepPlan Load(string path, string? outOverride = null) => Expand(SweepDefinition.Load(path, outOverride));

    /// <summary>Expands <paramref name="d"/> into its runs, checking every run's settings.</summary>
    public static SweepPlan Expand(SweepDefinition d)
    {
        var start = SettingsContract.ToNode(d.Experiment.SweepDefaults);
        foreach (var (field, value) in d.Base) start[field] = value?.DeepClone();

        var runs = new List<PlannedRun>();
        var byId = new Dictionary<string, PlannedRun>();
        var labels = d.Axes.Select(a => SettingsContract.Labels(a.Values)).ToList();
        foreach (var combination in Cross(d.Axes))
        {
            var node = (JsonObject)start.DeepClone();
            var point = new List<AxisValue>();
            for (int a = 0; a < d.Axes.Count; ++a)
            {
                var value = d.Axes[a].Values[combination[a]];
                Set(node, d.Axes[a].Path, value?.DeepClone());
                point.Add(new AxisValue(d.Axes[a].Path, SettingsContract.Show(value), d.Axes[a].IsSeed, labels[a][combination[a]]));
            }
            int index = runs.Count;
            string label = point.Count == 0 ? "the base settings" : string.Join(" ", point.Select(p => $"{p.Axis}={p.Value}"));
            string where = $"sweep file {d.SourcePath}: run {index + 1} ({label})";
            object settings = SettingsContract.Read(node, d.Experiment.SettingsType, where);
            try
            {
                d.Experiment.ValidateForSweep(settings);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or InvalidOperationException)
            {
                var message = Hybrid.Experiments.Options.Values.PlainMessage(e);
                throw new ArgumentException($"{where}: {message}");
            }
            string canonical = SettingsContract.Canonical(settings);
            var run = new PlannedRun(index, IdOf(d.Experiment.Name, canonical), point, settings, canonical, d.Experiment.Cost(settings));
            if (byId.TryGetValue(run.Id, out var twin))
                throw new ArgumentException($"sweep file {d.SourcePath}: runs {twin.Index + 1} ({twin.Label}) and {index + 1} ({run.Label}) " +
                                            "are the same configuration; list each value once.");
            byId[run.Id] = run;
            runs.Add(run);
        }
        return new SweepPlan(d, runs);
    }

    /// <summary>A run's id: the first <see cref="IdLength"/> hex digits of SHA-256(experiment, newline, canonical JSON).</summary>
    public static string IdOf(string experiment, string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(experiment + "\n" + canonical)))[..IdLength];

    /// <summary>The runs shard <paramref name="shard"/> owns: every n-th run from the i-th (round robin, so each
    /// shard gets a share of every part of the grid).</summary>
    public IEnumerable<PlannedRun> ShareOf(ShardSpec shard) => Runs.Where(r => r.Index % shard.Count == shard.Index);

    /// <summary>The run with id <paramref name="id"/>, or null.</summary>
    public PlannedRun? Find(string id) => Runs.FirstOrDefault(r => r.Id == id);

    /// <summary>plan.json: every run's index, id, point and configuration.</summary>
    public JsonObject ToJson()
    {
        var runs = new JsonArray();
        foreach (var r in Runs)
            runs.Add(new JsonObject
            {
                ["index"] = r.Index,
                ["id"] = r.Id,
                ["point"] = new JsonObject(r.Point.Select(p => KeyValuePair.Create(p.Axis, (JsonNode?)JsonValue.Create(p.Value)))),
                ["config"] = JsonNode.Parse(r.Canonical),
            });
        return new JsonObject
        {
            ["name"] = Definition.Name,
            ["experiment"] = Definition.Experiment.Name,
            ["runs"] = runs,
        };
    }

    /// <summary>Writes sweep.json (the file as given) and plan.json into the sweep folder. Every shard writes the same
    /// content, possibly at once: each writes a temporary file of its own and renames it over the old one.</summary>
    public void WriteManifest()
    {
        RequireOwnFolder();
        try
        {
            Directory.CreateDirectory(Root);
            // /proc and friends accept the folder and refuse its files: try one before anything is written
            string probe = Path.Combine(Root, $".write-check.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the sweep folder {Root} (--out or the file's \"out\") cannot be written: {e.Message}", e);
        }
        // plan.json first: a shard starting meanwhile finds either no file or this plan (RequireOwnFolder), never sweep.json alone
        Replace(Path.Combine(Root, "plan.json"), ToJson().ToJsonString(RunFolder.Json) + "\n");
        Replace(Path.Combine(Root, "sweep.json"), Definition.SourceText.EndsWith('\n') ? Definition.SourceText : Definition.SourceText + "\n");
    }

    /// <summary>
    /// Refuses a sweep folder that is neither absent, nor empty, nor this sweep's (its plan.json equal to this plan's, as
    /// JSON): a folder of the user's own files (a sweep.json, a report.md) or another sweep's (whose sweep.json and
    /// plan.json would be replaced and whose runs mixed with these) is never written into (issue 22 item 11). Reads only.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds something else (the message names it and what).</exception>
    /// <exception cref="InvalidDataException">Its plan.json cannot be read as a plan.</exception>
    public void RequireOwnFolder()
    {
        if (!Directory.Exists(Root)) return;
        var entries = Directory.EnumerateFileSystemEntries(Root).Select(e => Path.GetFileName(e)!)
            .Where(n => !(n.StartsWith('.') && n.EndsWith(".tmp", StringComparison.Ordinal))).Order(StringComparer.Ordinal).ToList();
        // run folders alone (a shard that took a run's lock before any plan.json) are verified run by run as they are read
        if (entries.All(n => n is "runs" or "logs" && Directory.Exists(Path.Combine(Root, n)))) return;
        const string Choose = "choose another --out (or \"out\" in the sweep file)";
        var planFile = Path.Combine(Root, "plan.json");
        if (!File.Exists(planFile))
            throw new InvalidOperationException(
                $"the sweep folder {Root} is not empty ({string.Join(", ", entries.Take(5))}{(entries.Count > 5 ? ", …" : "")}) and holds no " +
                $"sweep (no plan.json): a sweep needs a new or empty folder, or its own, so that no file there is overwritten; {Choose}.");
        JsonNode? recorded;
        try
        {
            recorded = JsonNode.Parse(Hybrid.Synapse.Files.RegularFile.ReadText(planFile, "a sweep plan", 1L << 30),
                documentOptions: Hybrid.Synapse.Files.RegularFile.StrictJson);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{planFile} is not a sweep plan ({e.Message.Split('\n')[0]}); {Choose}.", e);
        }
        var mine = ToJson();
        if (JsonNode.DeepEquals(recorded, mine)) return;
        string theirs = recorded is JsonObject o
            ? $"sweep '{(o["name"] as JsonValue)?.ToString() ?? "?"}' of {(o["experiment"] as JsonValue)?.ToString() ?? "?"}, {(o["runs"] as JsonArray)?.Count ?? 0} runs"
            : "a plan.json that is not an object";
        throw new InvalidOperationException(
            $"the sweep folder {Root} holds another sweep ({theirs}; this is sweep '{Definition.Name}' of {Definition.Experiment.Name}, " +
            $"{Runs.Count} runs, and its plan differs): a folder holds one sweep, whose sweep.json and plan.json are never replaced by " +
            $"another's; {Choose}. To grow a sweep, give the new one its own folder and copy the old runs/<id> folders into it: " +
            "a run's id is its configuration, so they count as finished.");
    }

    private static void Replace(string path, string text)
    {
        // compared only when a regular file of the same size: a FIFO in its place blocked here, a link to /dev/zero read
        // until memory ran out (scripts/probe-files.sh); whatever stands there is replaced by the rename below
        if (Hybrid.Synapse.Files.RegularFile.Kind(path) == "regular file" && new FileInfo(path).Length == Encoding.UTF8.GetByteCount(text) &&
            File.ReadAllText(path) == text) return;
        var tmp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(tmp, text);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (RunFolder.NamedForTheUser(e, tmp, path) is { } named)
        {
            throw named;
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    // each combination as the index of its value on every axis
    private static IEnumerable<int[]> Cross(IReadOnlyList<SweepAxis> axes)
    {
        var index = new int[axes.Count];
        while (true)
        {
            yield return (int[])index.Clone();
            int k = axes.Count - 1;
            while (k >= 0 && ++index[k] == axes[k].Values.Count) index[k--] = 0;
            if (k < 0) yield break;
        }
    }

    private static void Set(JsonObject node, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        for (int i = 0; i < parts.Length - 1; ++i)
        {
            if (node[parts[i]] is not JsonObject inner)
            {
                inner = new JsonObject();
                node[parts[i]] = inner;
            }
            node = inner;
        }
        node[parts[^1]] = value;
    }
}
