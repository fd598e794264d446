using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>A metric a sweep report tables and plots, and which way is better: higher, lower, or (<paramref name="ZeroIsBest"/>,
/// for a signed quantity such as a learning-rate shift) closer to 0, which overrides <paramref name="HigherIsBetter"/>.</summary>
public sealed record HeadlineMetric(string Name, bool HigherIsBetter, bool ZeroIsBest = false)
{
    /// <summary>"higher is better", "lower is better" or "closer to 0 is better".</summary>
    public string Direction => ZeroIsBest ? "closer to 0 is better" : HigherIsBetter ? "higher is better" : "lower is better";
}

/// <summary>
/// How one run of an experiment ended: its status, in words, its results as flat named numbers and
/// its console summary. <see cref="Metrics"/> are the results (a deterministic function of the
/// configuration); <see cref="Timing"/> are measurements of this machine (seconds, examples per second),
/// kept apart so results can be compared exactly. <see cref="Status"/> is what a sweep records:
/// <see cref="RunStatus.Diverged"/> when the experiment's own result diverged (a train run, a
/// comparison with a diverged row); <see cref="DivergedRuns"/> counts every training run inside it
/// that diverged (a depth grid's points too), which the exit code reports (<see cref="ExitCodes"/>).
/// </summary>
public sealed record ExperimentOutcome(RunStatus Status, string Message, IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Timing)
{
    /// <summary>Training runs inside the experiment that diverged (their last finite state kept; the report names them).</summary>
    public int DivergedRuns { get; init; }

    /// <summary>What the console shows when the run ends.</summary>
    public ConsoleSummary Summary { get; init; } = ConsoleSummary.Empty;

    /// <summary>The outcome of a run stopped on request (it resumes next time).</summary>
    public static ExperimentOutcome Stopped(string message) =>
        new(RunStatus.Cancelled, message, new Dictionary<string, double>(), new Dictionary<string, double>());
}

/// <summary>
/// What an experiment shows on the console when it ends, as values: tables (header, rows, which columns
/// are numbers) and lines, in order. The CLI draws them (a box-drawn table on a terminal, Markdown in a
/// pipe); the experiment never writes to the console.
/// </summary>
public sealed record ConsoleSummary(IReadOnlyList<SummaryPart> Parts)
{
    /// <summary>Nothing to show.</summary>
    public static ConsoleSummary Empty { get; } = new([]);

    /// <summary>This summary and a table.</summary>
    public ConsoleSummary Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool>? right = null) =>
        new([.. Parts, new SummaryTable(header, rows.ToList(), right)]);

    /// <summary>This summary and a line.</summary>
    public ConsoleSummary Line(string text) => new([.. Parts, new SummaryLine(text, Note: false)]);

    /// <summary>This summary and a note (shown muted: what the table's numbers are).</summary>
    public ConsoleSummary Note(string text) => new([.. Parts, new SummaryLine(text, Note: true)]);
}

/// <summary>A table or a line of a <see cref="ConsoleSummary"/>.</summary>
public abstract record SummaryPart;

/// <summary>A table: header, rows, and which columns are right-aligned (numbers).</summary>
public sealed record SummaryTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<bool>? Right) : SummaryPart;

/// <summary>A line of text; a note is shown muted.</summary>
public sealed record SummaryLine(string Text, bool Note) : SummaryPart;
