using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Hybrid.Synapse.Files;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// A run's folder (DESIGN.md "Runs and results"): config.json, metrics.csv, summary.json,
/// plots and checkpoints. Every file is written to a temporary name in the same folder and
/// renamed over the old one, so a crash never leaves a torn file. As the trainer's
/// <see cref="IRunStore"/> it holds checkpoint.bin, config.json and metrics.csv. One process at a
/// time: <see cref="Acquire"/> / <see cref="TryAcquire"/> take the folder's OS lock
/// (<see cref="RunLock"/>) for the run's life.
/// </summary>
public sealed class RunFolder : IRunStore
{
    /// <summary>The trainer's checkpoint file.</summary>
    public const string CheckpointFile = "checkpoint.bin";

    /// <summary>JSON settings for every file Hybrid writes: indented, camelCase, enums as strings
    /// (the trainer's, so config.json and the checkpoint's copy of it agree).</summary>
    public static JsonSerializerOptions Json => Trainer.ConfigJson;

    /// <summary>Opens (creating if needed) the folder at <paramref name="path"/>.</summary>
    public RunFolder(string path) : this(path, create: true) { }

    private RunFolder(string path, bool create)
    {
        Path = System.IO.Path.GetFullPath(path);
        Manifest = new RunManifest(Path);
        if (create) Directory.CreateDirectory(Path);
    }

    /// <summary>The checksums of every file written through this folder (manifest.json).</summary>
    public RunManifest Manifest { get; }

    /// <summary>The configuration file every run records.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The folder at <paramref name="path"/>, without creating it: <see cref="Acquire"/> or the
    /// first write does (so a command refused before then leaves nothing behind).</summary>
    public static RunFolder At(string path) => new(path, create: false);

    /// <summary>Whether the folder exists.</summary>
    public bool Exists => Directory.Exists(Path);

    /// <summary>The lock this object holds on the folder, or null.</summary>
    public RunLock? HeldLock => _lock is { Held: true } ? _lock : null;

    private RunLock? _lock;

    /// <summary>
    /// Takes the folder's lock for this process (creating the folder if needed) until the returned
    /// lock is disposed or the process ends.
    /// </summary>
    /// <exception cref="RunFolderLockedException">Another process holds it; the message names the holder.</exception>
    /// <exception cref="InvalidOperationException">This object already holds it.</exception>
    public RunLock Acquire() =>
        TryAcquire(out var holder) ?? throw new RunFolderLockedException(Path, holder);

    /// <summary>Takes the folder's lock if no other process holds it; null (and the holder's record, when it
    /// could be read) if one does — for callers that skip a folder someone else is running.</summary>
    /// <exception cref="InvalidOperationException">This object already holds it.</exception>
    public RunLock? TryAcquire(out LockOwner? holder)
    {
        if (HeldLock is not null) throw new InvalidOperationException($"{Path}: this process already holds the folder's lock.");
        var taken = RunLock.TryTake(Path, out holder);
        if (taken is not null)
        {
            _lock = taken;
            RemovedTemporaries = RemoveStaleTemporaries();
        }
        return taken;
    }

    /// <summary>The temporary files of killed writers that taking the lock removed (<see cref="RemoveStaleTemporaries"/>).</summary>
    public IReadOnlyList<string> RemovedTemporaries { get; private set; } = [];

    // what Write, RunManifest and RunLock name their temporary files: .<name>.<pid>.tmp
    private static readonly Regex Temporary = new(@"^\.(?<name>.+)\.(?<pid>[0-9]{1,9})\.tmp$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Removes the temporary files (<c>.name.pid.tmp</c>) that writers killed mid-write left (issue 22 item 12):
    /// only regular files, only of a process that no longer runs on this machine, and only under the folder's lock,
    /// so no live writer's file is touched. Returns their names.
    /// </summary>
    public IReadOnlyList<string> RemoveStaleTemporaries()
    {
        if (HeldLock is null) throw new InvalidOperationException($"{Path}: temporary files are removed only under the folder's lock.");
        var removed = new List<string>();
        foreach (var entry in Directory.EnumerateFiles(Path, ".*.tmp"))
        {
            var name = System.IO.Path.GetFileName(entry);
            var m = Temporary.Match(name);
            if (!m.Success || !int.TryParse(m.Groups["pid"].Value, out int pid) || pid == Environment.ProcessId) continue;
            if (new LockOwner(pid, Environment.MachineName, default, "").Alive != false) continue;
            if (RegularFile.Kind(entry) is { } kind && kind != "regular file") continue;
            try
            {
                System.IO.File.Delete(entry);
                removed.Add(name);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>The absolute path of a file in the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether a file exists in the folder.</summary>
    public bool Has(string name) => System.IO.File.Exists(File(name));

    /// <summary>Writes text atomically.</summary>
    public void WriteText(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes an object as JSON atomically.</summary>
    public void WriteJson<T>(string name, T value) => WriteText(name, JsonSerializer.Serialize(value, Json) + "\n");

    /// <summary>Reads a text file of the folder after checking it against the manifest.</summary>
    /// <exception cref="InvalidDataException">It fails its checksum (named in the message).</exception>
    public string ReadText(string name)
    {
        Manifest.Check(name);
        return RegularFile.ReadText(File(name), "a file of the run");
    }

    /// <summary>Reads a JSON file of the folder after checking it against the manifest.</summary>
    /// <exception cref="InvalidDataException">It fails its checksum, or is not the JSON expected; the message names it.</exception>
    public T ReadJson<T>(string name) => ParseJson<T>(ReadText(name), File(name));

    /// <summary>Parses a run file's JSON as <typeparamref name="T"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">It is not the JSON expected (not JSON, null, a field of the wrong type).</exception>
    public static T ParseJson<T>(string text, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json)
                   ?? throw new InvalidDataException($"{source} holds JSON null, not a {typeof(T).Name}.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is not a valid {typeof(T).Name} ({e.Message.Split('\n')[0]})", e);
        }
    }

    /// <summary>Refuses to start a new run of <paramref name="kind"/> in a folder that already holds one.</summary>
    /// <exception cref="InvalidOperationException">It does (config.json is there).</exception>
    public void RequireNoRun(string kind)
    {
        if (Has(ConfigFile))
            throw new InvalidOperationException($"{Path} already holds a {kind}; use --resume to continue it or choose another --out.");
    }

    /// <summary>
    /// Refuses to start a new run of <paramref name="kind"/> in a folder that holds anything but Hybrid's lock and temporary
    /// files and <paramref name="own"/> (what the caller wrote there itself: a sweep's run.json): a new run needs an
    /// absent or empty folder, so the user's own files are never overwritten (issue 22 item 11). <paramref name="locked"/>
    /// false is the check before the lock: a folder with a manifest.json is a Hybrid run folder, and is left to the lock
    /// (which names a holder) and the check under it (<see cref="RequireNoRun"/>'s "use --resume").
    /// </summary>
    /// <exception cref="InvalidOperationException">It holds such files (the message names some and the option).</exception>
    public void RequireEmptyForNewRun(string kind, string option, IReadOnlyCollection<string> own, bool locked)
    {
        if (!Exists) return;
        var foreign = Directory.EnumerateFileSystemEntries(Path).Select(e => System.IO.Path.GetFileName(e))
            .Where(n => !RunLock.IsLockFile(n) && !Temporary.IsMatch(n) && !own.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (foreign.Count == 0) return;
        if (!locked && Manifest.Exists) return;
        if (locked) RequireNoRun(kind);
        string shown = string.Join(", ", foreign.Take(5)) + (foreign.Count > 5 ? $", … ({foreign.Count} in all)" : "");
        throw new InvalidOperationException(
            $"{option} {Path} is not empty ({shown}){(Manifest.Exists ? "" : ", and not a Hybrid run folder")}: a new {kind} needs a new or " +
            $"empty folder, so that no file there is overwritten; choose another {option}{(Manifest.Exists ? ", or --resume the run there" : "")}.");
    }

    /// <summary>
    /// Before resuming: the folder holds a run (config.json), every file it wrote passes its checksum, and its
    /// recorded configuration equals <paramref name="configJson"/> outside <paramref name="mayDiffer"/> (top-level
    /// fields), else an error naming the file or every differing field. Reads only; changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">No run to resume, or the settings differ.</exception>
    /// <exception cref="InvalidDataException">A file is missing or changed.</exception>
    public void RequireResumable(string configJson, params string[] mayDiffer)
    {
        if (!Exists) throw new InvalidOperationException($"cannot resume {Path}: no such folder.");
        if (!Has(ConfigFile))
            throw new InvalidOperationException($"cannot resume {Path}: it holds no run ({ConfigFile} is missing).");
        Verify();
        ConfigDiff.RequireSame(ReadText(ConfigFile), configJson, Path, File(ConfigFile), mayDiffer);
    }

    /// <summary>
    /// Starts an experiment (a new run refuses a folder that already holds one, then writes config.json) or
    /// resumes one (<see cref="RequireResumable"/>: its files pass their checksums and its recorded settings
    /// equal <paramref name="settings"/>, else an error naming the file or every differing field).
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder does not fit the request.</exception>
    /// <exception cref="InvalidDataException">A file of the run to resume is missing or changed.</exception>
    public void BeginExperiment<T>(T settings, bool resume, string kind)
    {
        string json = JsonSerializer.Serialize(settings, Json);
        if (resume)
        {
            RequireResumable(json);
            return;
        }
        RequireNoRun(kind);
        WriteText(ConfigFile, json + "\n");
    }

    /// <inheritdoc />
    public void Verify()
    {
        if (!Manifest.Exists && (Has(ConfigFile) || Has(CheckpointFile)))
            throw new InvalidDataException(
                $"{File(RunManifest.FileName)} is missing: the folder's files cannot be verified (written by an older Hybrid, or damaged).");
        Manifest.CheckAll();
    }

    /// <inheritdoc />
    public string? RecordedConfig => Has(ConfigFile) ? ReadText(ConfigFile) : null;

    /// <inheritdoc />
    public string CheckpointLocation => File(CheckpointFile);

    /// <summary>Writes bytes atomically.</summary>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(name, s => s.Write(copy));
    }

    /// <summary>Writes whatever <paramref name="write"/> produces atomically.</summary>
    public void Write(string name, Action<Stream> write)
    {
        Directory.CreateDirectory(Path);
        var tmp = File($".{name}.{Environment.ProcessId}.tmp");
        try
        {
            string hash;
            long length;
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
                length = fs.Length;
                fs.Position = 0;
                hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fs));
            }
            // manifest first (pending), then the rename, then the manifest again: a kill at any point
            // leaves a file whose hash the manifest accepts (RunManifest)
            Manifest.Pending(name, hash);
            System.IO.File.Move(tmp, File(name), overwrite: true);
            Manifest.Written(name, hash, length);
        }
        catch (Exception e)
        {
            try { System.IO.File.Delete(tmp); }
            catch (IOException) { } // the write's own error is the one to report
            if (NamedForTheUser(e, tmp, File(name)) is { } named) throw named;
            throw;
        }
    }

    /// <summary>
    /// An I/O error that names <paramref name="tmp"/>, restated to name <paramref name="path"/>: the user knows the file,
    /// not its temporary name (a full disk reads "No space left on device : '&lt;tmp&gt;'"). Null for any other error.
    /// </summary>
    internal static IOException? NamedForTheUser(Exception e, string tmp, string path) =>
        e is IOException && e.Message.Contains(tmp, StringComparison.Ordinal)
            ? new IOException($"could not write {path}: " +
                              e.Message.Replace($" : '{tmp}'", "").Replace(tmp, path).Trim(), e)
            : null;

    /// <summary>A fresh folder name under <paramref name="root"/>: <c>prefix-yyyyMMdd-HHmmss</c> (suffixed if taken).</summary>
    public static string NewPath(string root, string prefix)
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var path = System.IO.Path.Combine(root, $"{prefix}-{stamp}");
        for (int i = 2; Directory.Exists(path); ++i) path = System.IO.Path.Combine(root, $"{prefix}-{stamp}-{i}");
        return path;
    }

    /// <inheritdoc />
    public string Location => Path;

    /// <inheritdoc />
    /// <remarks>Also true when something else stands in the checkpoint's place, or the manifest records one that
    /// is gone: <see cref="OpenCheckpoint"/> then says so, rather than "no epoch completed" (issue 22 item 13).</remarks>
    public bool HasCheckpoint =>
        Has(CheckpointFile) || Directory.Exists(File(CheckpointFile)) ||
        (Manifest.Exists && Manifest.Files.TryGetValue(CheckpointFile, out var e) && e.Sha256.Length > 0);

    /// <inheritdoc />
    public void Begin(string configJson) => WriteText(ConfigFile, configJson + "\n");

    /// <inheritdoc />
    public void WriteCheckpoint(Action<Stream> write) => Write(CheckpointFile, write);

    /// <inheritdoc />
    public Stream OpenCheckpoint()
    {
        var path = File(CheckpointFile);
        Manifest.Check(CheckpointFile); // names a recorded checkpoint that is gone, a folder or FIFO in its place
        if (!System.IO.File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"{path} does not exist: the run has no completed epoch.", path);
        return RegularFile.OpenRead(path, "a checkpoint", long.MaxValue);
    }

    /// <inheritdoc />
    public void EpochsCompleted(IReadOnlyList<EpochMetrics> epochs) => WriteText("metrics.csv", EpochMetrics.Csv(epochs));
}
