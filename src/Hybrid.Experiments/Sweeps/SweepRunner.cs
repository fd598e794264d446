using System.Diagnostics;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary>What one shard did.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Share">Runs the shard owns.</param>
/// <param name="Ran">Runs it started (fresh or resumed), its own and stolen ones.</param>
/// <param name="Completed">Of those, completed.</param>
/// <param name="Diverged">Of those, diverged.</param>
/// <param name="Failed">Of those, failed.</param>
/// <param name="AlreadyFinished">Own runs skipped: finished before (by anyone).</param>
/// <param name="HeldElsewhere">Own runs skipped: another process holds them (a misconfigured array, a second copy of
/// this shard, or a shard that stole them).</param>
/// <param name="Cancelled">Whether the shard stopped on request before its share was done.</param>
/// <param name="Stolen">Runs of other shards it ran (<see cref="SweepRunnerHooks.Steal"/>).</param>
/// <param name="WithDivergence">Of the runs it ran, those in which something diverged (the run's own result, or a training
/// run inside it: a depth grid's point).</param>
public sealed record ShardReport(ShardSpec Shard, int Share, int Ran, int Completed, int Diverged, int Failed,
    int AlreadyFinished, int HeldElsewhere, bool Cancelled, int Stolen = 0, int WithDivergence = 0)
{
    /// <summary>Whether every run this shard started ended as a result (completed or diverged) and nothing was cancelled.</summary>
    public bool Succeeded => Failed == 0 && !Cancelled;

    /// <summary>The exit code (<see cref="ExitCodes"/>): not finished when a run failed or the shard was stopped, diverged when
    /// something in a run it ran diverged, else completed.</summary>
    public int ExitCode => !Succeeded ? ExitCodes.NotFinished : WithDivergence > 0 ? ExitCodes.Diverged : ExitCodes.Completed;
}

/// <summary>How a shard behaves and reports: one line per event, the progress display around each run.</summary>
public sealed class SweepRunnerHooks
{
    /// <summary>A line for the log ("[3/8] 1f2e… optimizer.bits=4 seed=1: completed …").</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>The progress display around each run's training (the CLI's console display).</summary>
    public IProgressDisplay Progress { get; init; } = SilentProgress.Instance;

    /// <summary>libtorch threads for each run (<see cref="RunRequest.Threads"/>: N ≥ 1, 0 or null for libtorch's own), set by the
    /// host around the run and restored afterwards.</summary>
    public int? Threads { get; init; }

    /// <summary>How long to keep trying a run whose lock is taken before leaving it to its holder
    /// (a <c>sweep status</c> probe holds a lock for microseconds).</summary>
    public TimeSpan ClaimPatience { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After its own share, run other shards' runs that are neither finished nor held (last first,
    /// so a helper and the owner working forward meet in the middle): array tasks that start late,
    /// because the cluster runs fewer at once than there are, find their runs done. A helper may
    /// run longer than its own share would take (mind a task's time limit).
    /// </summary>
    public bool Steal { get; init; }
}

/// <summary>
/// Runs one shard of a sweep: each run it owns that has no final result, under the run folder's
/// OS lock (<see cref="RunFolder.TryAcquire"/>), so two processes given the same run never both
/// work on it: the first takes the lock and runs it, the other skips it (and, if it comes later,
/// finds its result and skips it too). An interrupted run resumes from what it left (the trainer's
/// checkpoint, a comparison's finished rows). A run that throws is recorded as failed and the
/// shard goes on; it runs again next time.
/// </summary>
public static class SweepRunner
{
    private sealed class Tally
    {
        public int Ran, Completed, Diverged, Failed, Finished, Held, Stolen, WithDivergence;

        public ShardReport Report(ShardSpec shard, int share, bool cancelled) =>
            new(shard, share, Ran, Completed, Diverged, Failed, Finished, Held, cancelled, Stolen, WithDivergence);
    }

    /// <summary>Runs <paramref name="shard"/>'s share of <paramref name="plan"/> (and, with
    /// <see cref="SweepRunnerHooks.Steal"/>, what is left of the others').</summary>
    public static ShardReport Run(SweepPlan plan, ShardSpec shard, SweepRunnerHooks? hooks = null, CancellationToken cancel = default)
    {
        hooks ??= new SweepRunnerHooks();
        var share = plan.ShareOf(shard).ToList();
        plan.WriteManifest();
        var tally = new Tally();
        for (int k = 0; k < share.Count; ++k)
            if (!Visit(plan, share[k], $"[{k + 1}/{share.Count}]", own: true, shard, hooks, tally, cancel))
                return tally.Report(shard, share.Count, cancelled: true);
        if (hooks.Steal)
            foreach (var run in plan.Runs.Where(r => r.Index % shard.Count != shard.Index).Reverse())
                if (!Visit(plan, run, "[helping]", own: false, shard, hooks, tally, cancel))
                    return tally.Report(shard, share.Count, cancelled: true);
        return tally.Report(shard, share.Count, cancelled: false);
    }

    /// <summary>Runs <paramref name="run"/> unless it is finished or held; false when the shard was cancelled.</summary>
    private static bool Visit(SweepPlan plan, PlannedRun run, string position, bool own, ShardSpec shard, SweepRunnerHooks hooks,
        Tally tally, CancellationToken cancel)
    {
        string tag = $"{position} {run.Id} {run.Label}";
        if (cancel.IsCancellationRequested) return false;
        var path = plan.RunPath(run.Id);
        if (SweepRunFiles.ReadResult(plan, run) is { Finished: true } earlier)
        {
            if (own)
            {
                ++tally.Finished;
                hooks.Log($"{tag}: already {earlier.Status.Name()}");
            }
            return true;
        }
        var folder = RunFolder.At(path);
        using var claim = Claim(folder, own ? hooks.ClaimPatience : TimeSpan.Zero, out var holder);
        if (claim is null)
        {
            if (own)
            {
                ++tally.Held;
                hooks.Log($"{tag}: held by {holder?.ToString() ?? "another process"}; left to it");
            }
            return true;
        }
        // the holder before us may have finished it between our first look and the lock
        if (SweepRunFiles.ReadResult(plan, run) is { Finished: true } justDone)
        {
            if (own)
            {
                ++tally.Finished;
                hooks.Log($"{tag}: already {justDone.Status.Name()}");
            }
            return true;
        }
        var result = RunOne(plan, run, folder, shard, hooks, tag, cancel);
        if (result is null)
        {
            hooks.Log($"{tag}: cancelled; it resumes next time");
            return false;
        }
        ++tally.Ran;
        if (!own) ++tally.Stolen;
        switch (result.Status)
        {
            case SweepRunStatus.Completed: ++tally.Completed; break;
            case SweepRunStatus.Diverged: ++tally.Diverged; break;
            default: ++tally.Failed; break;
        }
        if (result.AnyDiverged) ++tally.WithDivergence;
        return true;
    }

    /// <summary>Whether a file of a run folder is the experiment's (not the sweep's records, the lock's, a checksum manifest,
    /// or a temporary file): one means an earlier attempt left something to resume.</summary>
    private static bool IsExperimentFile(string? name) =>
        name is { Length: > 0 } && name[0] != '.' && name is not (SweepRunFiles.RecordFile or SweepRunFiles.ResultFile or "manifest.json");

    private static RunLock? Claim(RunFolder folder, TimeSpan patience, out LockOwner? holder)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var taken = folder.TryAcquire(out holder);
            if (taken is not null || clock.Elapsed >= patience) return taken;
            Thread.Sleep(100);
        }
    }

    /// <summary>Runs one claimed run; null when it was cancelled (nothing recorded: it resumes next time).</summary>
    private static RunResult? RunOne(SweepPlan plan, PlannedRun run, RunFolder folder, ShardSpec shard, SweepRunnerHooks hooks,
        string tag, CancellationToken cancel)
    {
        var record = SweepRunFiles.ReadRecord(folder.Path);
        var config = (JsonObject)JsonNode.Parse(run.Canonical)!;
        if (record is not null && (record.Id != run.Id || !JsonNode.DeepEquals(record.Config, config)))
            throw new InvalidOperationException($"{folder.Path} holds run {record.Id} with another configuration than this sweep's run " +
                                                $"{run.Id}; move it away (the folder name is the configuration's hash, so something copied it).");
        bool resumed = Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName).Any(IsExperimentFile);
        var attempts = (record?.Attempts ?? []).Append(new RunAttempt(Environment.MachineName, Environment.ProcessId,
            shard.ToString(), DateTime.UtcNow, resumed)).ToList();
        folder.WriteJson(SweepRunFiles.RecordFile, new RunRecord(run.Id, plan.Definition.Experiment.Name, config, attempts));
        // "started" replaces an earlier failure's result; if this attempt is killed it stays, and the run reads as interrupted
        folder.WriteJson(SweepRunFiles.ResultFile, new RunResult(run.Id, SweepRunStatus.Started, $"attempt {attempts.Count} started",
            new(), new(), 0, DateTime.UtcNow, Environment.MachineName, shard.ToString(), attempts.Count));

        hooks.Log($"{tag}: {(resumed ? "resuming" : "starting")} (attempt {attempts.Count})");
        var clock = Stopwatch.StartNew();
        SweepRunStatus status;
        ExperimentOutcome outcome;
        try
        {
            // the plan validated every run's settings when it loaded; the host does the rest (runtime, resume checks, the body)
            var request = new RunRequest(folder)
            {
                Resume = folder.Has(RunFolder.ConfigFile), Threads = hooks.Threads, Progress = hooks.Progress, Log = line => hooks.Log($"{tag}: {line}"),
                Cancel = cancel, Validated = true, OwnFiles = [SweepRunFiles.RecordFile, SweepRunFiles.ResultFile, RunManifest.FileName],
            };
            outcome = ExperimentHost.Run(plan.Definition.Experiment, run.Settings, request);
            if (outcome.Status == RunStatus.Cancelled) return null;
            status = outcome.Status == RunStatus.Diverged ? SweepRunStatus.Diverged : SweepRunStatus.Completed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new ExperimentOutcome(RunStatus.Completed, $"{e.GetType().Name}: {e.Message}",
                new Dictionary<string, double>(), new Dictionary<string, double>());
            status = SweepRunStatus.Failed;
        }
        var timing = new SortedDictionary<string, double>(outcome.Timing.ToDictionary(), StringComparer.Ordinal);
        var result = new RunResult(run.Id, status, outcome.Message,
            new SortedDictionary<string, double>(outcome.Metrics.ToDictionary(), StringComparer.Ordinal), timing,
            clock.Elapsed.TotalSeconds, DateTime.UtcNow, Environment.MachineName, shard.ToString(), attempts.Count, outcome.DivergedRuns);
        folder.WriteJson(SweepRunFiles.ResultFile, result);
        var headline = plan.Definition.Experiment.Headline(run.Settings).FirstOrDefault();
        string shown = headline is not null && result.Metrics.TryGetValue(headline.Name, out var v) ? $", {headline.Name} {v:G4}" : "";
        hooks.Log($"{tag}: {result.Status.Name()}{shown} in {result.Seconds:F1} s" + (result.Status == SweepRunStatus.Failed ? $": {result.Message}" : ""));
        return result;
    }
}
