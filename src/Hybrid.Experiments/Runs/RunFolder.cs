using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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
        if (create) Directory.CreateDirectory(Path);
    }

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
        if (taken is not null) _lock = taken;
        return taken;
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

    /// <summary>Reads a JSON file of the folder.</summary>
    public T ReadJson<T>(string name) =>
        JsonSerializer.Deserialize<T>(System.IO.File.ReadAllText(File(name)), Json)
        ?? throw new InvalidDataException($"{File(name)} is empty or not valid JSON.");

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
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            System.IO.File.Move(tmp, File(name), overwrite: true);
        }
        catch
        {
            try { System.IO.File.Delete(tmp); }
            catch (IOException) { } // the write's own error is the one to report
            throw;
        }
    }

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
    public bool HasCheckpoint => Has(CheckpointFile);

    /// <inheritdoc />
    public void Begin(string configJson) => WriteText("config.json", configJson + "\n");

    /// <inheritdoc />
    public void WriteCheckpoint(Action<Stream> write) => Write(CheckpointFile, write);

    /// <inheritdoc />
    public Stream OpenCheckpoint()
    {
        var path = File(CheckpointFile);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path} does not exist: the run has no completed epoch.", path);
        return System.IO.File.OpenRead(path);
    }

    /// <inheritdoc />
    public void EpochsCompleted(IReadOnlyList<EpochMetrics> epochs) => WriteText("metrics.csv", EpochMetrics.Csv(epochs));
}
