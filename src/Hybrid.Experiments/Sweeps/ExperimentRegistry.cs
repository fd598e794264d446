using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Sweeps;

/// <summary>A metric a sweep report tables and plots, and which way is better.</summary>
public sealed record HeadlineMetric(string Name, bool HigherIsBetter);

/// <summary>
/// How one run of an experiment ended: its status ("completed", "diverged" or "cancelled"), in
/// words, and its results as flat named numbers. <see cref="Metrics"/> are the results (a
/// deterministic function of the configuration); <see cref="Timing"/> are measurements of this
/// machine (seconds, examples per second), kept apart so results can be compared exactly.
/// </summary>
public sealed record ExperimentOutcome(string Status, string Message, IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Timing)
{
    /// <summary>The status of a run whose every part ran.</summary>
    public const string Completed = "completed";
    /// <summary>The status of a run whose loss stopped being finite (a result, not a failure).</summary>
    public const string Diverged = "diverged";
    /// <summary>The status of a run stopped on request; it resumes next time.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The outcome status of a trainer result.</summary>
    public static string StatusOf(RunStatus s) => s switch
    {
        RunStatus.Completed => Completed,
        RunStatus.Diverged => Diverged,
        _ => Cancelled,
    };
}

/// <summary>
/// An experiment a sweep can run: its settings record (what a sweep file's <c>base</c> and axes
/// fill in), its checks, and a resumable run into a run folder that returns flat metrics.
/// </summary>
public interface IExperiment
{
    /// <summary>The name a sweep file gives in <c>experiment</c> (the CLI command's name).</summary>
    string Name { get; }

    /// <summary>One line for help and plans.</summary>
    string Description { get; }

    /// <summary>The settings record (config.json's shape).</summary>
    Type SettingsType { get; }

    /// <summary>The settings a sweep's <c>base</c> overlays (the command's defaults).</summary>
    object Defaults { get; }

    /// <summary>The settings field the sweep's seeds go into.</summary>
    string SeedField { get; }

    /// <summary>Checks every value before any work (the command's own checks).</summary>
    void Validate(object settings);

    /// <summary>A rough cost in multiply-adds, for plans (model arithmetic only, from the settings alone).</summary>
    double Cost(object settings);

    /// <summary>The metrics a report tables and plots for these settings.</summary>
    IReadOnlyList<HeadlineMetric> Headline(object settings);

    /// <summary>Runs the experiment into <paramref name="folder"/>, resuming whatever an interrupted run left there.</summary>
    ExperimentOutcome Run(object settings, RunFolder folder, ITrainingObserver observer, CancellationToken cancel);
}

/// <summary>An <see cref="IExperiment"/> over settings of type <typeparamref name="T"/>, built from delegates.</summary>
public sealed class Experiment<T> : IExperiment where T : class
{
    /// <inheritdoc />
    public required string Name { get; init; }
    /// <inheritdoc />
    public required string Description { get; init; }
    /// <summary>The command's default settings.</summary>
    public required T DefaultSettings { get; init; }
    /// <summary>The settings' own checks (their Validate()).</summary>
    public required Action<T> Check { get; init; }
    /// <summary>The cost estimate.</summary>
    public required Func<T, double> Estimate { get; init; }
    /// <summary>The headline metrics.</summary>
    public required Func<T, IReadOnlyList<HeadlineMetric>> Headlines { get; init; }
    /// <summary>The resumable run.</summary>
    public required Func<T, RunFolder, ITrainingObserver, CancellationToken, ExperimentOutcome> Execute { get; init; }
    /// <inheritdoc />
    public string SeedField { get; init; } = "seed";

    /// <inheritdoc />
    public Type SettingsType => typeof(T);
    /// <inheritdoc />
    public object Defaults => DefaultSettings;
    /// <inheritdoc />
    public void Validate(object settings) => Check((T)settings);
    /// <inheritdoc />
    public double Cost(object settings) => Estimate((T)settings);
    /// <inheritdoc />
    public IReadOnlyList<HeadlineMetric> Headline(object settings) => Headlines((T)settings);
    /// <inheritdoc />
    public ExperimentOutcome Run(object settings, RunFolder folder, ITrainingObserver observer, CancellationToken cancel) =>
        Execute((T)settings, folder, observer, cancel);
}

/// <summary>Every experiment a sweep can name. A new experiment joins with one line in <see cref="All"/>.</summary>
public static class ExperimentRegistry
{
    /// <summary>The registered experiments, in the order help lists them.</summary>
    public static readonly IReadOnlyList<IExperiment> All =
    [
        TrainEntry.Experiment, CompareEntry.Experiment,
        MarginEntry.Experiment, BpmEntry.Experiment, UncertaintyEntry.Experiment,
        TrustEntry.Experiment, DepthEntry.Experiment, TransferEntry.Experiment,
    ];

    /// <summary>Their names.</summary>
    public static IReadOnlyList<string> Names => All.Select(e => e.Name).ToList();

    /// <summary>The experiment called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such experiment; the message lists the valid names.</exception>
    public static IExperiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown experiment '{name}'; valid: {string.Join(", ", Names)}.", "experiment");
}
