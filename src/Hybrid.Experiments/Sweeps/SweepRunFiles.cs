using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

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

/// <summary>How a sweep run stands in its result.json.</summary>
public enum SweepRunStatus
{
    /// <summary>An attempt is under way, or was killed (the run is then interrupted).</summary>
    Started,
    /// <summary>Finished: every part ran.</summary>
    Completed,
    /// <summary>Finished: the experiment's result diverged (a result, not a failure).</summary>
    Diverged,
    /// <summary>Threw (a bug, a missing file, a lock held elsewhere); it runs again next time.</summary>
    Failed,
}

/// <summary>result.json: how a run ended and its flat metrics. Written (atomically, through the run folder, like every
/// file of it) as "started" when an attempt begins and again when it ends.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="Status">Completed, diverged, failed, or started (an attempt is under way, or was killed).</param>
/// <param name="Message">How it ended, in words (the error for a failed run).</param>
/// <param name="Metrics">Results (deterministic for a configuration).</param>
/// <param name="Timing">Measurements of the machine: seconds, examples per second.</param>
/// <param name="Seconds">Wall seconds of the last attempt.</param>
/// <param name="FinishedUtc">When it ended.</param>
/// <param name="Host">Where.</param>
/// <param name="Shard">Which shard ran it.</param>
/// <param name="Attempts">Starts it took (1 unless interrupted).</param>
/// <param name="DivergedRuns">Training runs inside the experiment that diverged (a depth grid's points too; 0 in files written before it was recorded).</param>
public sealed record RunResult(string Id, SweepRunStatus Status, string Message, SortedDictionary<string, double> Metrics,
    SortedDictionary<string, double> Timing, double Seconds, DateTime FinishedUtc, string Host, string Shard, int Attempts, int DivergedRuns = 0)
{
    /// <summary>Whether the run needs no more work (completed or diverged; a failed run is retried).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Finished => Status is SweepRunStatus.Completed or SweepRunStatus.Diverged;

    /// <summary>Whether something in the run diverged (its own result, or a training run inside it).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AnyDiverged => Status == SweepRunStatus.Diverged || DivergedRuns > 0;
}

/// <summary>The status as result.json and the reports spell it ("completed").</summary>
public static class SweepRunStatuses
{
    /// <summary>"started", "completed", "diverged" or "failed".</summary>
    public static string Name(this SweepRunStatus status) => status.ToString().ToLowerInvariant();
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

    /// <summary>
    /// The result of <paramref name="run"/> of <paramref name="plan"/>, verified, or null if it has none. Every reader of a
    /// sweep (the runner, <c>status</c>, <c>plan</c>, <c>merge</c>) reads results this way (issue 22 item 8): the run folder's
    /// <c>manifest.json</c> must record <c>result.json</c> and <c>run.json</c> and both must pass their checksums (an edited
    /// metric is refused), and <c>run.json</c>'s id, experiment and configuration and <c>result.json</c>'s id must be the
    /// planned run's (a folder copied from another sweep, or two folders swapped, is refused, naming what differs).
    /// A refusal is what a resume does with a damaged or foreign unit: an error naming the folder (exit 2), nothing written.
    /// </summary>
    /// <exception cref="InvalidDataException">A file fails its checksum or is not recorded, or the result is another run's.</exception>
    /// <exception cref="InvalidOperationException">run.json records another run or configuration (the message names the fields).</exception>
    public static RunResult? ReadResult(SweepPlan plan, PlannedRun run)
    {
        var runPath = plan.RunPath(run.Id);
        if (!Present(Path.Combine(runPath, ResultFile), "a sweep result")) return null;
        return Verified(runPath, plan.Definition.Experiment.Name, run);
    }

    /// <summary>Where <paramref name="run"/> of <paramref name="plan"/> stands, its result verified as <see cref="ReadResult(SweepPlan, PlannedRun)"/> says.</summary>
    public static (RunState State, RunResult? Result, LockOwner? Holder) State(SweepPlan plan, PlannedRun run) =>
        State(plan.RunPath(run.Id), () => ReadResult(plan, run));

    private const string Advice = "move the folder away and run the sweep again (the run is then rerun)";

    private static RunResult Verified(string runPath, string experiment, PlannedRun run)
    {
        var folder = RunFolder.At(runPath);
        if (!folder.Manifest.Exists)
            throw new InvalidDataException($"{folder.File(RunManifest.FileName)} is missing: the run's {ResultFile} cannot be verified " +
                                           $"(the run folder is damaged, or was not written by a sweep run); {Advice}.");
        foreach (var name in new[] { RecordFile, ResultFile })
        {
            if (!folder.Manifest.Files.ContainsKey(name))
                throw new InvalidDataException($"{folder.File(name)} is not recorded in {RunManifest.FileName}: it was not written by this run; {Advice}.");
            folder.Manifest.Check(name); // names the file that changed after the run wrote it
        }
        var record = ReadRecord(runPath)
                     ?? throw new InvalidDataException($"{folder.File(RecordFile)} is missing beside the run's {ResultFile}; {Advice}.");
        var planned = (JsonObject)JsonNode.Parse(run.Canonical)!;
        if (record.Id != run.Id || record.Experiment != experiment || !JsonNode.DeepEquals(record.Config, planned))
        {
            var what = new List<string>();
            if (record.Id != run.Id) what.Add($"id: {record.Id} in the folder, {run.Id} in this sweep");
            if (record.Experiment != experiment) what.Add($"experiment: {record.Experiment} in the folder, {experiment} in this sweep");
            what.AddRange(ConfigDiff.Differences(record.Config.ToJsonString(), run.Canonical, folder.File(RecordFile)));
            throw new InvalidOperationException($"{runPath} holds another run than this sweep's run {run.Id} ({run.Label}): " +
                                                $"{string.Join("; ", what)}. It was copied or moved there from another sweep or run folder; {Advice}.");
        }
        var result = ReadResult(runPath)!;
        if (result.Id != run.Id)
            throw new InvalidDataException($"{folder.File(ResultFile)} is the result of run {result.Id}, not of this folder's run {run.Id}; {Advice}.");
        return result;
    }

    /// <summary>Parses a run folder's result.json, or null if it has none; checks it against the folder's manifest when that
    /// records it, but not whose run it is: sweep readers use <see cref="ReadResult(SweepPlan, PlannedRun)"/>.</summary>
    public static RunResult? ReadResult(string runPath)
    {
        var path = Path.Combine(runPath, ResultFile);
        if (!Present(path, "a sweep result")) return null;
        try
        {
            Checked(runPath, ResultFile);
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
        if (!Present(path, "a sweep run record")) return null;
        try
        {
            Checked(runPath, RecordFile);
            return JsonSerializer.Deserialize<RunRecord>(Hybrid.Synapse.Files.RegularFile.ReadText(path, "a sweep run record", 1 << 24), RunFolder.Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a sweep run record: {e.Message}");
        }
    }

    // Whether a run's file is there. A directory in its place is named (InvalidDataException), not read as "no result"
    // (the run then counted as unfinished, and the runner failed writing over it); other non-regular files are named by
    // the reader (RegularFile).
    private static bool Present(string path, string what)
    {
        if (Directory.Exists(path)) Hybrid.Synapse.Files.RegularFile.Require(path, what);
        return File.Exists(path);
    }

    // a file the folder's manifest records must pass its checksum (InvalidDataException naming it)
    private static void Checked(string runPath, string name)
    {
        var manifest = RunFolder.At(runPath).Manifest;
        if (manifest.Exists) manifest.Check(name);
    }

    /// <summary>
    /// Where the run at <paramref name="runPath"/> stands. For an unfinished run that has a folder this probes the
    /// folder's lock for an instant (a runner that meets the probe retries, so it never loses the run to it).
    /// </summary>
    public static (RunState State, RunResult? Result, LockOwner? Holder) State(string runPath) => State(runPath, () => ReadResult(runPath));

    private static (RunState State, RunResult? Result, LockOwner? Holder) State(string runPath, Func<RunResult?> read)
    {
        if (!Directory.Exists(runPath)) return (RunState.Missing, null, null);
        var result = read();
        if (result is not null && result.Finished)
            return (result.Status == SweepRunStatus.Completed ? RunState.Done : RunState.Diverged, result, null);
        using (var probe = RunFolder.At(runPath).TryAcquire(out var holder))
        {
            if (probe is null) return (RunState.Running, result, holder);
        }
        if (result is { Status: SweepRunStatus.Failed }) return (RunState.Failed, result, null);
        bool started = result is not null || Directory.EnumerateFileSystemEntries(runPath).Any(e => !RunLock.IsLockFile(Path.GetFileName(e)));
        return (started ? RunState.Interrupted : RunState.Missing, result, null);
    }
}
