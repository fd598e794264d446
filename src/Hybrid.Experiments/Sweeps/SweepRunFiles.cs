using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>One start of a run (a later one resumes what the earlier left).</summary>
/// <param name="Host">Machine name.</param>
/// <param name="Pid">Process id.</param>
/// <param name="Shard">The shard that ran it ("2/4").</param>
/// <param name="StartedUtc">When.</param>
/// <param name="Resumed">Whether it found an earlier start's files (a checkpoint, finished rows) to continue from.</param>
public sealed record RunAttempt(string Host, int Pid, string Shard, DateTime StartedUtc, bool Resumed);

/// <summary>run.json: the run's id, experiment and full configuration, and every start of it.</summary>
public sealed record RunRecord(string Id, string Experiment, JsonObject Config, IReadOnlyList<RunAttempt> Attempts);

/// <summary>result.json: how a run ended and its flat metrics. Written (atomically, through the run folder, like every
/// file of it) as "started" when an attempt begins and again when it ends.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="Status">completed, diverged, failed, or started (an attempt is under way, or was killed).</param>
/// <param name="Message">How it ended, in words (the error for a failed run).</param>
/// <param name="Metrics">Results (deterministic for a configuration).</param>
/// <param name="Timing">Measurements of the machine: seconds, examples per second.</param>
/// <param name="Seconds">Wall seconds of the last attempt.</param>
/// <param name="FinishedUtc">When it ended.</param>
/// <param name="Host">Where.</param>
/// <param name="Shard">Which shard ran it.</param>
/// <param name="Attempts">Starts it took (1 unless interrupted).</param>
public sealed record RunResult(string Id, string Status, string Message, SortedDictionary<string, double> Metrics,
    SortedDictionary<string, double> Timing, double Seconds, DateTime FinishedUtc, string Host, string Shard, int Attempts)
{
    /// <summary>The status of a run that threw (a bug, a missing file, a lock held elsewhere); it runs again next time.</summary>
    public const string Failed = "failed";

    /// <summary>The status while an attempt runs; left behind if it is killed (the run is then interrupted).</summary>
    public const string Started = "started";

    /// <summary>Whether the run needs no more work (completed or diverged; a failed run is retried).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Finished => Status is ExperimentOutcome.Completed or ExperimentOutcome.Diverged;
}

/// <summary>Where a run stands.</summary>
public enum RunState
{
    /// <summary>Nothing written yet.</summary>
    Missing,
    /// <summary>Started, stopped before its end (killed, cancelled, node lost) and held by nobody; the next start resumes it.</summary>
    Interrupted,
    /// <summary>A process holds its lock now.</summary>
    Running,
    /// <summary>Finished with status completed.</summary>
    Done,
    /// <summary>Finished with status diverged (a result: the loss stopped being finite).</summary>
    Diverged,
    /// <summary>Threw; result.json holds the error; the next start runs it again (resuming what it can).</summary>
    Failed,
}

/// <summary>Reading and writing a run folder's run.json and result.json, and telling its state.</summary>
public static class SweepRunFiles
{
    /// <summary>run.json.</summary>
    public const string RecordFile = "run.json";

    /// <summary>result.json.</summary>
    public const string ResultFile = "result.json";

    /// <summary>The run's result, or null if it has none (or it cannot be read: a torn file cannot happen, a foreign one can).</summary>
    public static RunResult? ReadResult(string runPath)
    {
        var path = Path.Combine(runPath, ResultFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunResult>(Hybrid.Synapse.Files.RegularFile.ReadText(path, "a sweep result", 1 << 24), RunFolder.Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a sweep result: {e.Message}");
        }
    }

    /// <summary>The run's record, or null.</summary>
    public static RunRecord? ReadRecord(string runPath)
    {
        var path = Path.Combine(runPath, RecordFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(Hybrid.Synapse.Files.RegularFile.ReadText(path, "a sweep run record", 1 << 24), RunFolder.Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a sweep run record: {e.Message}");
        }
    }

    /// <summary>
    /// Where the run at <paramref name="runPath"/> stands. For an unfinished run that has a folder this probes the
    /// folder's lock for an instant (a runner that meets the probe retries, so it never loses the run to it).
    /// </summary>
    public static (RunState State, RunResult? Result, LockOwner? Holder) State(string runPath)
    {
        if (!Directory.Exists(runPath)) return (RunState.Missing, null, null);
        var result = ReadResult(runPath);
        if (result is not null && result.Finished)
            return (result.Status == ExperimentOutcome.Completed ? RunState.Done : RunState.Diverged, result, null);
        using (var probe = RunFolder.At(runPath).TryAcquire(out var holder))
        {
            if (probe is null) return (RunState.Running, result, holder);
        }
        if (result is { Status: RunResult.Failed }) return (RunState.Failed, result, null);
        bool started = result is not null || Directory.EnumerateFileSystemEntries(runPath).Any(e => !RunLock.IsLockFile(Path.GetFileName(e)));
        return (started ? RunState.Interrupted : RunState.Missing, result, null);
    }
}
