namespace Hybrid.Training.Trainer;

/// <summary>
/// Where a run keeps what must outlive the process: its checkpoint and the metrics so far. The
/// trainer knows nothing about folders or file formats beyond its own checkpoint; the
/// experiments layer's run folder implements this (config.json, metrics.csv, checkpoint.bin),
/// tests and benchmarks use <see cref="MemoryRunStore"/>.
/// </summary>
public interface IRunStore
{
    /// <summary>Where the run lives, for messages (a folder path, or "memory").</summary>
    string Location { get; }

    /// <summary>Whether a checkpoint exists to resume from.</summary>
    bool HasCheckpoint { get; }

    /// <summary>The checkpoint's name in messages (a file path).</summary>
    string CheckpointLocation => $"the checkpoint of {Location}";

    /// <summary>The configuration recorded by the last <see cref="Begin"/>, if the store keeps one apart
    /// from the checkpoint (a run folder's config.json); a resume compares it field by field.</summary>
    /// <exception cref="InvalidDataException">It is there but fails its checks (named in the message).</exception>
    string? RecordedConfig => null;

    /// <summary>Checks, before a resume reads anything, that every file the run wrote is as it was written
    /// (a run folder's manifest of checksums).</summary>
    /// <exception cref="InvalidDataException">One is missing or changed; the message names it.</exception>
    void Verify() { }

    /// <summary>The run starts (or resumes) with this configuration: the trainer has checked
    /// that a fresh run has no checkpoint and that a resumed one was made with the same settings.
    /// Called right before this command's first checkpoint, so a command that fails before then
    /// changes nothing.</summary>
    void Begin(string configJson);

    /// <summary>Replaces the checkpoint with what <paramref name="write"/> produces, atomically:
    /// a crash leaves either the old checkpoint or the new one, never a torn file.</summary>
    void WriteCheckpoint(Action<Stream> write);

    /// <summary>Opens the checkpoint for reading.</summary>
    /// <exception cref="FileNotFoundException">There is none.</exception>
    Stream OpenCheckpoint();

    /// <summary>Every completed epoch so far, after each epoch's checkpoint was written.</summary>
    void EpochsCompleted(IReadOnlyList<EpochMetrics> epochs);
}

/// <summary>A run store in memory (tests, benchmarks): the checkpoint is a byte array.</summary>
public sealed class MemoryRunStore : IRunStore
{
    private byte[]? _checkpoint;

    /// <inheritdoc />
    public string Location => "memory";
    /// <inheritdoc />
    public bool HasCheckpoint => _checkpoint is not null;
    /// <summary>The configuration of the last <see cref="Begin"/>.</summary>
    public string? ConfigJson { get; private set; }
    /// <inheritdoc />
    public string? RecordedConfig => ConfigJson;
    /// <inheritdoc />
    public string CheckpointLocation => "the in-memory checkpoint";
    /// <summary>The checkpoint's bytes (tests damage them).</summary>
    public byte[]? CheckpointBytes { get => _checkpoint; set => _checkpoint = value; }
    /// <summary>The epochs reported last.</summary>
    public IReadOnlyList<EpochMetrics> Epochs { get; private set; } = [];

    /// <inheritdoc />
    public void Begin(string configJson) => ConfigJson = configJson;

    /// <inheritdoc />
    public void WriteCheckpoint(Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        _checkpoint = ms.ToArray();
    }

    /// <inheritdoc />
    public Stream OpenCheckpoint() =>
        _checkpoint is null ? throw new FileNotFoundException("the in-memory run has no checkpoint.") : new MemoryStream(_checkpoint, writable: false);

    /// <inheritdoc />
    public void EpochsCompleted(IReadOnlyList<EpochMetrics> epochs) => Epochs = epochs.ToList();
}
