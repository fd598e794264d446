using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Runs;

/// <summary>Runs a piece of work with a progress display around it (the CLI's live console; silent otherwise).</summary>
public interface IProgressDisplay
{
    /// <summary>Runs <paramref name="body"/> with an observer that shows its progress.</summary>
    T Run<T>(Func<ITrainingObserver, T> body);
}

/// <summary>No display: the work sees a silent observer (tests, and the sweep runner's default).</summary>
public sealed class SilentProgress : IProgressDisplay
{
    /// <summary>The one instance.</summary>
    public static readonly SilentProgress Instance = new();

    /// <inheritdoc />
    public T Run<T>(Func<ITrainingObserver, T> body) => body(SilentObserver.Instance);
}

/// <summary>
/// What an experiment's body gets from the host (<see cref="ExperimentHost"/>): its run folder (locked,
/// checked: empty for a new run, or holding this run's settings for a resume), the cancellation token
/// (Ctrl+C), a progress display for its training, a log for lines the user should see, and
/// <see cref="Begin"/>, which records the settings once the body has checked what it could only check by
/// loading (so a bad data folder leaves nothing behind).
/// </summary>
public sealed class ExperimentContext
{
    private readonly Action _begin;

    internal ExperimentContext(RunFolder folder, bool resume, IProgressDisplay progress, Action<string> log, CancellationToken cancel, Action begin)
    {
        Folder = folder;
        Resume = resume;
        Progress = progress;
        Log = log;
        Cancel = cancel;
        _begin = begin;
    }

    /// <summary>The run folder.</summary>
    public RunFolder Folder { get; }

    /// <summary>Whether this continues a run already in the folder (finished units are read back either way).</summary>
    public bool Resume { get; }

    /// <summary>Stops the work at the next epoch or unit; what finished is kept.</summary>
    public CancellationToken Cancel { get; }

    /// <summary>A line for the user (what the run is about to do, which data it loaded).</summary>
    public Action<string> Log { get; }

    /// <summary>The progress display.</summary>
    public IProgressDisplay Progress { get; }

    /// <summary>Whether <see cref="Begin"/> was called.</summary>
    public bool Began { get; private set; }

    /// <summary>Runs <paramref name="body"/> inside the progress display.</summary>
    public T WithProgress<T>(Func<ITrainingObserver, T> body) => Progress.Run(body);

    /// <summary>Records the run's settings in its folder (config.json, for a new run; a resume checked them already).
    /// Call it before writing anything else, after whatever loading can still refuse the input.</summary>
    public void Begin()
    {
        if (Began) return;
        Began = true;
        _begin();
    }
}
