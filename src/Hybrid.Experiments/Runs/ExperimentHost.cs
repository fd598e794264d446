using System.Text.Json;
using Hybrid.Training;

namespace Hybrid.Experiments.Runs;

/// <summary>How the host runs an experiment: where, and with what around it.</summary>
/// <param name="Folder">The run folder (not yet created for a new run).</param>
public sealed record RunRequest(RunFolder Folder)
{
    /// <summary>Continue the run in the folder (its settings must match; finished units are read back).</summary>
    public bool Resume { get; init; }

    /// <summary>libtorch threads for the run (restored afterwards): N ≥ 1, 0 or null for libtorch's own.</summary>
    public int? Threads { get; init; }

    /// <summary>The progress display around the training.</summary>
    public IProgressDisplay Progress { get; init; } = SilentProgress.Instance;

    /// <summary>Lines for the user.</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>Warnings for the user (a stale lock replaced).</summary>
    public Action<string> Warn { get; init; } = _ => { };

    /// <summary>Stops the run at the next epoch or unit.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>The settings were validated already (a sweep plan checks every run's when it loads).</summary>
    public bool Validated { get; init; }

    /// <summary>Files the caller wrote into the folder itself, which a new run may find there (a sweep's run.json, result.json,
    /// manifest.json); anything else in the folder of a new run is refused (<see cref="RunFolder.RequireEmptyForNewRun"/>).</summary>
    public IReadOnlyCollection<string> OwnFiles { get; init; } = [];

    /// <summary>The option that named the folder, for messages.</summary>
    public string FolderOption => Resume ? "--resume" : "--out";
}

/// <summary>A finished host run with the body's own result (for callers that want more than the outcome).</summary>
public sealed record HostRun<TResult>(ExperimentOutcome Outcome, TResult? Result) where TResult : class;

/// <summary>
/// The one place an experiment is run (by the CLI, a sweep or a test), doing once what every experiment
/// needs: validate the settings, check that libtorch loads, take the folder's lock (unless the caller holds
/// it), refuse a folder that already holds a run (or, for a resume, one whose files fail their checksums or
/// whose settings differ, naming the fields), use the requested libtorch threads and restore them, run the
/// body, and turn Ctrl+C into a stopped outcome. The outcome's exit code follows one rule (<see cref="ExitCodes"/>).
/// </summary>
public static class ExperimentHost
{
    /// <summary>Runs <paramref name="experiment"/> on <paramref name="settings"/> as <paramref name="request"/> says.</summary>
    /// <exception cref="ArgumentException">Invalid settings (nothing written).</exception>
    /// <exception cref="InvalidOperationException">The folder does not fit the request (nothing written).</exception>
    public static ExperimentOutcome Run(IExperiment experiment, object settings, RunRequest request) =>
        Execute(experiment, settings, request).Outcome;

    /// <summary>Runs a typed experiment and returns its body's result beside the outcome (null when it was stopped).</summary>
    public static HostRun<TResult> Run<TSettings, TResult>(Experiment<TSettings, TResult> experiment, TSettings settings, RunRequest request)
        where TSettings : class where TResult : class
    {
        var (outcome, result) = Execute(experiment, settings, request);
        return new HostRun<TResult>(outcome, result as TResult);
    }

    /// <summary>Runs a typed experiment in <paramref name="folder"/>, silently (tests, library use).</summary>
    public static HostRun<TResult> Run<TSettings, TResult>(Experiment<TSettings, TResult> experiment, TSettings settings, RunFolder folder,
        bool resume = false, CancellationToken cancel = default) where TSettings : class where TResult : class =>
        Run(experiment, settings, new RunRequest(folder) { Resume = resume, Cancel = cancel });

    /// <summary>What the run's first command ran under (<see cref="RunEnvironment"/>: versions, thread counts, SIMD level, CPU),
    /// written beside config.json when the run begins, so a resume can say when it computes under something else.</summary>
    public const string EnvironmentFile = "environment.json";

    /// <summary>A resume under other versions, thread counts, SIMD level or CPU than the run began with says so (issue 22
    /// item 15: libtorch's results depend on its thread count): the units finished from here on may differ in the last digits
    /// from those of an uninterrupted run. Runs begun before environment.json existed are not compared.</summary>
    private static void SayIfTheEnvironmentDiffers(RunFolder folder, Action<string> warn)
    {
        var diffs = RunEnvironment.Differences(folder, EnvironmentFile);
        if (diffs.Count > 0)
            warn($"resuming {folder.Path} in another environment than it began in ({string.Join("; ", diffs)}): " +
                 "what is computed from here on may differ from an uninterrupted run in the last digits.");
    }

    private static (ExperimentOutcome Outcome, object? Result) Execute(IExperiment experiment, object settings, RunRequest request)
    {
        if (!request.Validated)
        {
            experiment.Validate(settings);
            ThreadScope.Validate(request.Threads ?? 0);
        }
        TorchRuntime.EnsureAvailable();
        string json = JsonSerializer.Serialize(settings, settings.GetType(), RunFolder.Json);
        var folder = request.Folder;
        // A resume of a folder that holds no run is refused before the lock, which would leave its lock file there.
        if (request.Resume && !folder.Has(RunFolder.ConfigFile)) folder.RequireResumable(json, [.. experiment.MayChangeOnResume]);
        // A new run refuses a folder holding anything but its lock before taking it (nothing written; issue 22 item 11).
        string kind = $"{experiment.Name} run";
        if (!request.Resume) folder.RequireEmptyForNewRun(kind, request.FolderOption, request.OwnFiles, locked: false);
        using var held = folder.HeldLock is null ? RunFolders.Lock(folder, request.FolderOption, request.Warn) : null;
        if (request.Resume) folder.RequireResumable(json, [.. experiment.MayChangeOnResume]);
        else folder.RequireEmptyForNewRun(kind, request.FolderOption, request.OwnFiles, locked: true);
        using var threads = ThreadScope.Use(request.Threads);
        if (request.Resume && experiment.RecordsConfig) SayIfTheEnvironmentDiffers(folder, request.Warn);
        var context = new ExperimentContext(folder, request.Resume, request.Progress, request.Log, request.Cancel, () =>
        {
            if (!experiment.RecordsConfig || request.Resume) return;
            folder.WriteText(RunFolder.ConfigFile, json + "\n");
            folder.WriteJson(EnvironmentFile, RunEnvironment.Capture());
        });
        try
        {
            var (outcome, result) = experiment.Execute(settings, context);
            if (experiment.RecordsConfig && !context.Began)
                throw new InvalidOperationException($"experiment '{experiment.Name}' wrote its results without recording its settings (ExperimentContext.Begin).");
            return (outcome, result);
        }
        catch (OperationCanceledException) when (request.Cancel.IsCancellationRequested)
        {
            return (ExperimentOutcome.Stopped("stopped on request; finished units are kept — rerun with --resume to continue."), null);
        }
    }
}
