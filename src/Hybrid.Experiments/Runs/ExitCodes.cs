using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// The one exit-code rule of every <c>hybrid</c> command (docs/reliability.md):
/// 0 everything finished and nothing diverged; 2 bad input (nothing was written); 3 not finished
/// (stopped on request, or a run failed: the same command with <c>--resume</c> continues it);
/// 4 finished, but a training run diverged (kept as a result; the report says which).
/// 1 is left to the unexpected (a bug, printed with its stack trace).
/// </summary>
public static class ExitCodes
{
    /// <summary>Everything finished; nothing diverged.</summary>
    public const int Completed = 0;
    /// <summary>Bad input: an option, a file, a folder; nothing was written.</summary>
    public const int BadInput = 2;
    /// <summary>Not finished: stopped on request or a run failed; a rerun or --resume continues.</summary>
    public const int NotFinished = 3;
    /// <summary>Finished, but a training run diverged.</summary>
    public const int Diverged = 4;

    /// <summary>The code of an experiment's outcome.</summary>
    public static int Of(ExperimentOutcome outcome) => Of(outcome.Status, outcome.DivergedRuns);

    /// <summary>The code of a status and a count of diverged runs.</summary>
    public static int Of(RunStatus status, int divergedRuns) => status switch
    {
        RunStatus.Cancelled => NotFinished,
        RunStatus.Diverged => Diverged,
        _ => divergedRuns > 0 ? Diverged : Completed,
    };
}

/// <summary>Run statuses as files and tables spell them ("completed", "diverged", "cancelled"), and combined.</summary>
public static class RunStatuses
{
    /// <summary>The name of a status (as the run files' JSON writes it).</summary>
    public static string Name(this RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.Diverged => "diverged",
        _ => "cancelled",
    };

    /// <summary>The status of a whole made of parts: cancelled if any part was, else diverged if any part was, else completed.</summary>
    public static RunStatus Worst(IEnumerable<RunStatus> parts)
    {
        var all = parts.ToList();
        return all.Contains(RunStatus.Cancelled) ? RunStatus.Cancelled
            : all.Contains(RunStatus.Diverged) ? RunStatus.Diverged : RunStatus.Completed;
    }
}
