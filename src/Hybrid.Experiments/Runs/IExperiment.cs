using Hybrid.Experiments.Options;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// An experiment as a plug-in: everything its command, its sweep entry and its run need, in one place
/// (docs/architecture.md, "Adding an experiment"). Implement it by deriving from
/// <see cref="Experiment{TSettings, TResult}"/> and add one line to <see cref="ExperimentRegistry"/>; the CLI
/// builds the command from it, a sweep file can name it, and <see cref="ExperimentHost"/> runs it.
/// </summary>
public interface IExperiment
{
    /// <summary>The command's name, and what a sweep file gives in <c>experiment</c>.</summary>
    string Name { get; }

    /// <summary>The command's help.</summary>
    string Description { get; }

    /// <summary>One line for sweep plans and lists.</summary>
    string ShortDescription { get; }

    /// <summary>The settings record (config.json's shape).</summary>
    Type SettingsType { get; }

    /// <summary>The command's default settings (no option given).</summary>
    object Defaults { get; }

    /// <summary>The <c>--quick</c> settings, or null when the command has no <c>--quick</c>.</summary>
    object? Quick { get; }

    /// <summary>The settings a sweep's <c>base</c> overlays (the defaults, with one seed per run where the command takes several).</summary>
    object SweepDefaults { get; }

    /// <summary>The settings field the sweep's seeds go into.</summary>
    string SeedField { get; }

    /// <summary>libtorch threads the command uses by default (its <c>--threads</c>), or null when it has no <c>--threads</c>.</summary>
    int? DefaultThreads { get; }

    /// <summary>Settings fields a resume may change (train: its epochs); none by default.</summary>
    IReadOnlyList<string> MayChangeOnResume { get; }

    /// <summary>Whether the host records the settings as config.json (false: the trainer writes it, with its first checkpoint).</summary>
    bool RecordsConfig { get; }

    /// <summary>The command's options (besides --out, --resume, --threads and --quick, which every command built from an experiment has as it applies).</summary>
    IReadOnlyList<SettingOption> Options { get; }

    /// <summary>The settings the given options ask for: the defaults (or <c>--quick</c>'s), with every option given applied. Not validated.</summary>
    object Read(GivenOptions given);

    /// <summary>Checks every value before any work; the message names the option.</summary>
    /// <exception cref="ArgumentException">A value is invalid.</exception>
    void Validate(object settings);

    /// <summary>Checks a sweep run's settings (<see cref="Validate"/>, and what a sweep run may not use).</summary>
    /// <exception cref="ArgumentException">A value is invalid.</exception>
    void ValidateForSweep(object settings);

    /// <summary>A rough cost in multiply-adds, for sweep plans (model arithmetic only, from the settings alone).</summary>
    double Cost(object settings);

    /// <summary>The metrics a sweep report tables and plots for these settings.</summary>
    IReadOnlyList<HeadlineMetric> Headline(object settings);

    /// <summary>
    /// The keys these settings' metric names begin with, <c>key.metric</c>: one per optimiser (transfer, depth: <c>sgd.d04.train_accuracy</c>)
    /// or row (compare: <c>lns-08.test_accuracy</c>); empty where the names carry no such key. <c>sweep merge</c> folds the key away
    /// when every run of a sweep has exactly one (<see cref="Sweeps.MetricKeyFold"/>).
    /// </summary>
    IReadOnlyList<string> MetricKeys(object settings);

    /// <summary>The body: runs (or resumes) the experiment in <paramref name="context"/>'s folder. Call it through <see cref="ExperimentHost"/>.</summary>
    (ExperimentOutcome Outcome, object Result) Execute(object settings, ExperimentContext context);
}
