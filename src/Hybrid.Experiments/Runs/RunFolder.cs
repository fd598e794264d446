using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// A run's folder (DESIGN.md "Runs and results"): config.json, metrics.csv, summary.json,
/// plots and checkpoints. Every file is written to a temporary name in the same folder and
/// renamed over the old one, so a crash never leaves a torn file. As the trainer's
/// <see cref="IRunStore"/> it holds checkpoint.bin, config.json and metrics.csv.
/// </summary>
public sealed class RunFolder : IRunStore
{
    /// <summary>The trainer's checkpoint file.</summary>
    public const string CheckpointFile = "checkpoint.bin";

    /// <summary>JSON settings for every file Hybrid writes: indented, camelCase, enums as strings
    /// (the trainer's, so config.json and the checkpoint's copy of it agree).</summary>
    public static JsonSerializerOptions Json => Trainer.ConfigJson;

    /// <summary>Opens (creating if needed) the folder at <paramref name="path"/>.</summary>
    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
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
        var tmp = File($".{name}.{Environment.ProcessId}.tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        System.IO.File.Move(tmp, File(name), overwrite: true);
    }

    /// <summary>Writes whatever <paramref name="write"/> produces atomically.</summary>
    public void Write(string name, Action<Stream> write)
    {
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
            System.IO.File.Delete(tmp);
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
