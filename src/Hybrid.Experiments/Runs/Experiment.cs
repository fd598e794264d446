using Hybrid.Experiments.Options;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// The base of every experiment: settings of type <typeparamref name="TSettings"/> (a record: config.json),
/// a body that returns a <typeparamref name="TResult"/>, and what the command, the sweep entry and the
/// console make of it. An experiment overrides the abstract members and those of the virtual ones that
/// apply; the host (<see cref="ExperimentHost"/>) does everything else once: validation, the runtime check,
/// threads, the run folder, the lock, cancellation.
/// </summary>
public abstract class Experiment<TSettings, TResult> : IExperiment where TSettings : class where TResult : class
{
    private IReadOnlyList<SettingOption<TSettings>>? _options;

    /// <inheritdoc />
    public abstract string Name { get; }
    /// <inheritdoc />
    public abstract string Description { get; }
    /// <inheritdoc />
    public abstract string ShortDescription { get; }
    /// <summary>The command's default settings.</summary>
    public abstract TSettings Defaults { get; }
    /// <summary>The <c>--quick</c> settings (null: no --quick).</summary>
    public virtual TSettings? Quick => null;
    /// <summary>What a sweep's base overlays (default: <see cref="Defaults"/>).</summary>
    public virtual TSettings SweepDefaults => Defaults;
    /// <inheritdoc />
    public virtual string SeedField => "seed";
    /// <inheritdoc />
    public virtual int? DefaultThreads => null;
    /// <inheritdoc />
    public virtual IReadOnlyList<string> MayChangeOnResume => [];
    /// <inheritdoc />
    public virtual bool RecordsConfig => true;

    /// <summary>The command's options, made with the builder (its shared options and its own).</summary>
    protected abstract IEnumerable<SettingOption<TSettings>> DefineOptions(OptionBuilder<TSettings> options);

    /// <summary>The options, as <see cref="DefineOptions"/> made them (once).</summary>
    public IReadOnlyList<SettingOption<TSettings>> TypedOptions => _options ??= DefineOptions(new OptionBuilder<TSettings>()).ToList();

    /// <summary>The settings the options start from: <see cref="Quick"/> with <c>--quick</c>, else <see cref="Defaults"/>
    /// (compare starts from its <c>--preset</c>).</summary>
    protected virtual TSettings Base(GivenOptions given) => given.Quick && Quick is { } q ? q : Defaults;

    /// <summary>The settings a command line asks for (not validated).</summary>
    public TSettings Read(GivenOptions given)
    {
        var s = Base(given);
        foreach (var o in TypedOptions)
            if (o.SetsValue && given.TryGet(o.Name, out var v)) s = o.Apply(s, v);
        return s;
    }

    /// <summary>Checks every value before any work; the message names the option.</summary>
    public abstract void Validate(TSettings settings);

    /// <summary>Checks a sweep run's settings: <see cref="Validate"/>, and what a sweep run may not use.</summary>
    public virtual void ValidateForSweep(TSettings settings) => Validate(settings);

    /// <summary>A rough cost in multiply-adds, for sweep plans.</summary>
    public virtual double Cost(TSettings settings) => double.NaN;

    /// <summary>The metrics a sweep report tables and plots.</summary>
    public virtual IReadOnlyList<HeadlineMetric> Headline(TSettings settings) => [];

    /// <summary>The keys the metric names begin with (<see cref="IExperiment.MetricKeys"/>); none by default.</summary>
    public virtual IReadOnlyList<string> MetricKeys(TSettings settings) => [];

    /// <summary>The body: runs (or resumes) the experiment (validated, folder checked and locked by the host). Call
    /// <see cref="ExperimentContext.Begin"/> before writing anything, once loading can no longer refuse the input.</summary>
    public abstract TResult Run(TSettings settings, ExperimentContext context);

    /// <summary>How a run ended, for the sweep (status, metrics), the exit code (diverged runs) and the console (summary).</summary>
    public abstract ExperimentOutcome Outcome(TSettings settings, TResult result, RunFolder folder);

    Type IExperiment.SettingsType => typeof(TSettings);
    object IExperiment.Defaults => Defaults;
    object? IExperiment.Quick => Quick;
    object IExperiment.SweepDefaults => SweepDefaults;
    IReadOnlyList<SettingOption> IExperiment.Options => TypedOptions;
    object IExperiment.Read(GivenOptions given) => Read(given);
    void IExperiment.Validate(object settings) => Validate((TSettings)settings);
    void IExperiment.ValidateForSweep(object settings) => ValidateForSweep((TSettings)settings);
    double IExperiment.Cost(object settings) => Cost((TSettings)settings);
    IReadOnlyList<HeadlineMetric> IExperiment.Headline(object settings) => Headline((TSettings)settings);
    IReadOnlyList<string> IExperiment.MetricKeys(object settings) => MetricKeys((TSettings)settings);

    (ExperimentOutcome Outcome, object Result) IExperiment.Execute(object settings, ExperimentContext context)
    {
        var s = (TSettings)settings;
        var result = Run(s, context);
        return (Outcome(s, result, context.Folder), result);
    }
}
